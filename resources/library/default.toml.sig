ketamine-desktop library signature v1
file: default.toml
sha256: c0557f19aa130594f325ede03a13e4cfc25fd333a594bbb160596156fa37ac82
signer: ketamine-desktop project (default library, unreviewed)
signed-at: 2026-12-02T14:31:56Z
key-id: 3a68eeca20abf1c6
signature: aDob1M21Cd0d/sjaRDvYXdAc5jU8haQSkvZrpwxuzydmB9DzU5cGKnfk1WtyhqpG9hWiC8e13aIzdluq7NBgCg==
