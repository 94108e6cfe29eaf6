ketamine-desktop library signature v1
file: default.toml
sha256: efd2c8fb0e3ef7b3e243fd582b27e08b268098e68f87fff838717ae3eefaf79a
signer: ketamine-desktop project (default library, unreviewed)
signed-at: 2026-12-02T12:37:11Z
key-id: 3a68eeca20abf1c6
signature: ganH4eh3MTC1peLJz0EF8w8/rM1cy0EbvqAxIGhKA40mbl89x5MupFsyIWXY5y3XSyE8vp06EJSr5MiNrWtZBw==
