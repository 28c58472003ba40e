"""Short messages to a person's phone: one interface, the sender chosen by settings.

`MESSAGE_SENDER` names it: `log` (the default: the message is written to the log, nothing
leaves the server), `sms` (an SMS gateway's HTTP API: `SMS_GATEWAY_URL`, `SMS_GATEWAY_TOKEN`,
`SMS_SENDER_NAME`) or `line` (LINE's Messaging API, its notification messages to a phone
number: `LINE_API_URL`, `LINE_CHANNEL_TOKEN`). Every sender takes the same call,
`send(phone=..., text=..., key=...)`: `phone` in E.164 (+66...), `key` the message's own
unique key, passed to the gateway (the SMS gateway's reference, LINE's retry key) so a
gateway that keeps it drops a repeat. A failure worth trying again (no answer, a 5xx, a 429)
raises `SendFailed`; a refusal no retry will change (a 4xx: a bad number, a bad token)
raises `SendRefused`. The callers (queueing.notices) retry, count and record.

Plain urllib (no HTTP library): one POST with a short timeout.
"""

import hashlib
import json
import logging
import urllib.error
import urllib.request
import uuid

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger("sso.messaging")

SENDERS = {
    "log": "sso.core.messaging.LogSender",
    "sms": "sso.core.messaging.SmsGatewaySender",
    "line": "sso.core.messaging.LineSender",
}


class SendFailed(Exception):
    """The message did not go out this time; trying again may work."""


class SendRefused(Exception):
    """The gateway refused the message; trying again will not change that."""


class LogSender:
    """Writes the message to the log (development, and an office without a gateway)."""

    def send(self, *, phone: str, text: str, key: str) -> None:
        log.info("message %s to %s: %s", key, phone[:-4] + "xxxx", text)


class _HttpSender:
    timeout = 5

    def _post(self, url: str, body: dict, headers: dict) -> None:
        request = urllib.request.Request(
            url,
            data=json.dumps(body, ensure_ascii=False).encode(),
            headers={"Content-Type": "application/json", **headers},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - a configured URL
                response.read(4096)
        except urllib.error.HTTPError as exc:
            if exc.code == 429 or exc.code >= 500:
                raise SendFailed(f"gateway answered {exc.code}") from None
            raise SendRefused(f"gateway refused: {exc.code}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise SendFailed(f"gateway unreachable: {exc}") from None


class SmsGatewaySender(_HttpSender):
    """An SMS gateway's HTTP API: POST {to, text, sender, reference} as JSON with a bearer
    token (the common shape of Thai SMS gateways' APIs; `reference` is the message's key)."""

    def send(self, *, phone: str, text: str, key: str) -> None:
        self._post(
            settings.SMS_GATEWAY_URL,
            {"to": phone, "text": text, "sender": settings.SMS_SENDER_NAME, "reference": key},
            {"Authorization": f"Bearer {settings.SMS_GATEWAY_TOKEN}"},
        )


class LineSender(_HttpSender):
    """LINE's Messaging API, a notification message to a phone number (`/bot/pnp/push`): the
    number is sent only as the SHA-256 of its E.164 form, as LINE asks; the retry key (a
    UUID) lets LINE drop a repeat of the same message."""

    def send(self, *, phone: str, text: str, key: str) -> None:
        self._post(
            settings.LINE_API_URL.rstrip("/") + "/bot/pnp/push",
            {"to": hashlib.sha256(phone.encode()).hexdigest(), "messages": [{"type": "text", "text": text}]},
            {
                "Authorization": f"Bearer {settings.LINE_CHANNEL_TOKEN}",
                "X-Line-Retry-Key": str(uuid.UUID(key)),
                "X-Line-Delivery-Tag": key.replace("-", ""),
            },
        )


def sender():
    """The sender the settings name."""
    return import_string(SENDERS[settings.MESSAGE_SENDER])()
