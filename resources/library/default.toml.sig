ketamine-desktop library signature v1
file: default.toml
sha256: 0335c8fcf9f71f024674541a0ff3c2ce081d1e33462363945046a6945b5b23a9
signer: ketamine-desktop project (default library, unreviewed)
signed-at: 2026-12-02T14:42:04Z
key-id: 3a68eeca20abf1c6
signature: HGiTw/x5DJ5RXZcIrt4xPms2jKBK91TloJSbhQ5fGy8zfDKAD1L6sgLlpa3PgYcCUULAy9oGKvpjSNQnN4anBA==
