// Display board: server-sent events push each call; the board reloads its table and
// shows the call large with a chime. EventSource reconnects by itself and sends
// Last-Event-ID, so the server replays the calls missed while disconnected.
(function () {
  "use strict";
  const body = document.body;
  const board = document.getElementById("board");
  const flash = document.getElementById("flash");
  const status = document.getElementById("status");
  let audio = null;

  document.getElementById("sound").addEventListener("click", function () {
    audio = audio || new (window.AudioContext || window.webkitAudioContext)();
    this.hidden = true;
  });

  function chime() {
    if (!audio) return;
    [880, 660].forEach(function (freq, i) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.3, audio.currentTime + i * 0.4);
      gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + i * 0.4 + 0.6);
      osc.connect(gain).connect(audio.destination);
      osc.start(audio.currentTime + i * 0.4);
      osc.stop(audio.currentTime + i * 0.4 + 0.7);
    });
  }

  function refresh() {
    return fetch(body.dataset.partial, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) { board.innerHTML = html; });
  }

  let hideTimer = null;
  function show(event) {
    flash.innerHTML = "";
    const line1 = document.createElement("div");
    line1.textContent = "หมายเลข " + event.ticket + " เชิญที่ช่อง " + event.counter;
    const line2 = document.createElement("div");
    line2.lang = "en";
    line2.style.fontSize = "0.6em";
    line2.textContent = "Ticket " + event.ticket + ", please go to counter " + event.counter;
    flash.append(line1, line2);
    flash.hidden = false;
    clearTimeout(hideTimer);
    hideTimer = setTimeout(function () { flash.hidden = true; }, 5000);
    chime();
  }

  const source = new EventSource(body.dataset.events);
  source.onopen = function () { status.textContent = "● live"; refresh(); };
  source.onerror = function () { status.textContent = "○ reconnecting…"; };
  source.onmessage = function (message) {
    const event = JSON.parse(message.data);
    body.dataset.lastEvent = event.id;
    refresh().then(function () { show(event); });
  };

  function tick() {
    document.getElementById("clock").textContent = new Date().toLocaleTimeString("th-TH");
  }
  tick();
  setInterval(tick, 1000);
})();
