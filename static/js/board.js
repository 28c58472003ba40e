// Display board: server-sent events push each call; the board reloads its table and shows
// the call large, chimed and spoken. EventSource reconnects by itself and sends
// Last-Event-ID, so the server replays the calls missed while disconnected.
//
// The clock is the server's: each table the board loads carries the server's time, and the
// board keeps its offset from the TV's own clock. The call is spoken by the browser's speech
// (speechSynthesis), in Thai then English, with the voices installed on the TV only
// (localService: no internet needed); where no such voice exists the chime alone sounds.
(function () {
  "use strict";
  const body = document.body;
  const board = document.getElementById("board");
  const flash = document.getElementById("flash");
  const status = document.getElementById("status");
  const clock = document.getElementById("clock");
  let audio = null;
  let offset = 0; // server time - this screen's time, in ms

  document.getElementById("sound").addEventListener("click", function () {
    audio = audio || new (window.AudioContext || window.webkitAudioContext)();
    this.hidden = true;
    if (window.speechSynthesis) window.speechSynthesis.getVoices(); // loads the list
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

  function voiceFor(lang) {
    if (!window.speechSynthesis) return null;
    return window.speechSynthesis.getVoices().find(function (voice) {
      return voice.localService && voice.lang.replace("_", "-").toLowerCase().startsWith(lang);
    }) || null;
  }

  function speak(event) {
    if (!audio || !window.speechSynthesis) return;
    const lines = [
      ["th", "หมายเลข " + event.ticket.split("").join(" ") + " เชิญที่ช่อง " + event.counter],
      ["en", "Ticket " + event.ticket.split("").join(" ") + ", please go to counter " + event.counter],
    ];
    lines.forEach(function (line) {
      const voice = voiceFor(line[0]);
      if (!voice) return; // no voice on this TV for the language: the chime says it
      const utterance = new SpeechSynthesisUtterance(line[1]);
      utterance.voice = voice;
      utterance.lang = voice.lang;
      utterance.rate = 0.9;
      window.speechSynthesis.speak(utterance);
    });
  }

  function serverTime(fragment) {
    const now = fragment.querySelector("[data-server-now]");
    if (now) offset = Number(now.dataset.serverNow) - Date.now();
  }

  function refresh() {
    return fetch(body.dataset.partial, { credentials: "same-origin" })
      .then(function (r) {
        // A board refused (its device revoked, a staff session ended) shows why.
        if (r.status === 403 || r.status === 401 || r.redirected) window.location.reload();
        return r.ok ? r.text() : Promise.reject(r.status);
      })
      .then(function (html) { board.innerHTML = html; serverTime(board); });
  }

  let hideTimer = null;
  function show(event) {
    flash.innerHTML = "";
    const line1 = document.createElement("div");
    line1.textContent = "หมายเลข " + event.ticket + " เชิญที่ช่อง " + event.counter;
    const line2 = document.createElement("div");
    line2.lang = "en";
    line2.className = "flash-en";
    line2.textContent = "Ticket " + event.ticket + ", please go to counter " + event.counter;
    flash.append(line1, line2);
    flash.hidden = false;
    clearTimeout(hideTimer);
    hideTimer = setTimeout(function () { flash.hidden = true; }, 5000);
    chime();
    setTimeout(function () { speak(event); }, 1200); // after the chime
  }

  const source = new EventSource(body.dataset.events);
  source.onopen = function () { status.textContent = "● live"; refresh(); };
  source.onerror = function () {
    status.textContent = "○ reconnecting…";
    // Refused (not a network error): EventSource gives up; ask the page, which says why.
    if (source.readyState === EventSource.CLOSED) setTimeout(function () { refresh().catch(function () {}); }, 5000);
  };
  source.onmessage = function (message) {
    const event = JSON.parse(message.data);
    body.dataset.lastEvent = event.id;
    refresh().then(function () { show(event); });
  };
  // The waiting counts and the announcement change without a call: read them again now and then.
  setInterval(function () { refresh().catch(function () {}); }, 20000);

  function tick() {
    clock.textContent = new Date(Date.now() + offset).toLocaleTimeString("th-TH", { timeZone: "Asia/Bangkok" });
  }
  serverTime(board);
  tick();
  setInterval(tick, 1000);
})();
