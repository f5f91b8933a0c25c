"""Web Push (RFC 8030, RFC 8291 aes128gcm, VAPID RFC 8292): keys, words, rows and transport.

A push rides the notices queue (soulmark.notices.queue) as a row of its own per device and
kind (``push-tingles``...), so it is claimed, leased, retried and recorded like a mail.
What it says is fixed per kind and language and padded to one size (docs/push.md).
"""
