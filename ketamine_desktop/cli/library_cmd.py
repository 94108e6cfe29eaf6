"""`ketamine-desktop library`: show the library's identity and protocols, or validate another file."""

from __future__ import annotations

import argparse
import hashlib
from datetime import UTC, datetime
from pathlib import Path

from ketamine_desktop.cli import common
from ketamine_desktop.cli.common import (
    EXIT_INVALID_INPUT,
    EXIT_OK,
    InputError,
    Streams,
    StrictParser,
    check_library,
    write_json,
)
from ketamine_desktop.domain.library import Library, LibraryError, Protocol, parse_library, read_library_bytes
from ketamine_desktop.domain.units import format_quantity


def configure(parser: StrictParser) -> None:
    parser.add_argument(
        "action",
        nargs="?",
        choices=("sign", "keygen"),
        help="sign: write FILE.sig with the private key KEY; keygen: make a key pair (KEY and KEY.pub)",
    )
    parser.add_argument(
        "--file", type=Path, help="validate and list this library file instead (sign: the file)"
    )
    parser.add_argument("--key", type=Path, help="sign: the private key; keygen: where to write it")
    parser.add_argument("--public", type=Path, help="keygen: where to write the public key (default KEY.pub)")
    parser.add_argument(
        "--signer", help="sign: who signs, as shown by the app (default: the key file's name)"
    )
    parser.add_argument("--json", action="store_true", help="print JSON")


def run(args: argparse.Namespace, streams: Streams) -> int:
    try:
        if args.action == "sign":
            return _sign(args, streams)
        if args.action == "keygen":
            return _keygen(args, streams)
        for option in ("key", "public", "signer"):
            if getattr(args, option) is not None:
                raise InputError(f"--{option}", "only with `library sign` or `library keygen`")
        return _show(args, streams)
    except LibraryError as exc:
        for problem in exc.problems:
            streams.err.write(f"error: {problem}\n")
        return EXIT_INVALID_INPUT


def _show(args: argparse.Namespace, streams: Streams) -> int:
    from ketamine_desktop.library_trust import signature_path

    path: Path = args.file or common.default_library_path()
    data = read_library_bytes(path)
    sha256 = hashlib.sha256(data).hexdigest()
    signature = None
    # The app's library must be signed by a trusted key; a file under review may not be signed yet, but a
    # signature beside it must hold.
    if args.file is None or signature_path(path).exists():
        signature = check_library(path, sha256)
    library = parse_library(data, origin=str(path))
    if args.json:
        report = describe(library)
        report["signature"] = signature.as_json() if signature is not None else None
        write_json(report, streams.out)
    else:
        streams.out.write(_table(library, signature.describe() if signature is not None else "not signed"))
    return EXIT_OK


def _sign(args: argparse.Namespace, streams: Streams) -> int:
    from ketamine_desktop.library_trust import sign_library, trusted_keys

    if args.file is None or args.key is None:
        raise InputError("library sign", "needs --file LIBRARY and --key PRIVATE_KEY")
    if args.public is not None:
        raise InputError("--public", "only with `library keygen`")
    data = read_library_bytes(args.file)
    parse_library(data, origin=str(args.file))  # only a valid library is signed
    signer = (
        args.signer if args.signer is not None else args.key.name.removesuffix(".pem").removesuffix(".key")
    )
    if not signer.strip():
        raise InputError("--signer", "must not be blank")
    out, key_id = sign_library(args.file, data, args.key, signer.strip(), datetime.now(UTC))
    streams.out.write(f"signed {args.file} as {signer.strip()} with key {key_id}: wrote {out}\n")
    keys, _ignored = trusted_keys()
    if all(k.key_id != key_id for k in keys):
        streams.out.write(
            f"note: this computer does not trust key {key_id} yet; install its public key (see the README)\n"
        )
    return EXIT_OK


def _keygen(args: argparse.Namespace, streams: Streams) -> int:
    from ketamine_desktop.library_trust import KEY_SUFFIX, generate_key_pair

    if args.key is None:
        raise InputError("library keygen", "needs --key PATH (where to write the private key)")
    if args.file is not None or args.signer is not None:
        raise InputError("library keygen", "takes only --key and --public")
    public: Path = args.public or args.key.with_name(args.key.name + KEY_SUFFIX)
    key_id = generate_key_pair(args.key, public)
    streams.out.write(
        f"private key {args.key} (mode 0600: keep it offline, never in the app or its repository)\n"
        f"public key {public} (key id {key_id}): IT installs it as trusted\n"
    )
    return EXIT_OK


def describe(library: Library) -> dict[str, object]:
    return {
        "name": library.name,
        "version": library.version,
        "sha256": library.sha256,
        "protocols": [_protocol(p) for p in library.document.protocols],
    }


def _protocol(p: Protocol) -> dict[str, object]:
    bolus = None
    if p.bolus is not None:
        bolus = {
            "optional": p.bolus.optional,
            "default_mg_per_kg": p.bolus.default_mg_per_kg,
            "typical_mg_per_kg": [p.bolus.typical_min_mg_per_kg, p.bolus.typical_max_mg_per_kg],
            "soft_max_mg_per_kg": p.bolus.soft_max_mg_per_kg,
            "hard_max_mg_per_kg": p.bolus.hard_max_mg_per_kg,
            "sources": list(p.bolus.sources),
        }
    infusion = None
    if p.infusion is not None:
        i = p.infusion
        infusion = {
            "unit": i.display_unit,
            "default_mg_per_kg_per_h": i.default.mg_per_kg_per_h,
            "typical_mg_per_kg_per_h": [i.typical_min.mg_per_kg_per_h, i.typical_max.mg_per_kg_per_h],
            "soft_max_mg_per_kg_per_h": i.soft_max.mg_per_kg_per_h,
            "hard_max_mg_per_kg_per_h": i.hard_max.mg_per_kg_per_h,
            "cap_mg_per_h": i.cap.mg_per_h if i.cap else None,
            "sources": list(i.sources),
        }
    return {
        "id": p.id,
        "name": p.name,
        "setting": p.setting,
        "schedule": p.schedule,
        "sedation_scale": p.sedation_scale,
        "duration": p.duration,
        "bolus": bolus,
        "infusion": infusion,
        "sources": list(p.sources),
    }


def _table(library: Library, signature: str) -> str:
    lines = [
        f"{library.name} {library.version}",
        f"sha256 {library.sha256}",
        signature,
        "",
        f"{'protocol':<26} {'bolus (mg/kg)':<15} {'infusion':<22} setting",
    ]
    for p in library.document.protocols:
        bolus = "-"
        if p.bolus is not None:
            default = p.bolus.default_mg_per_kg
            bolus = ("optional " if p.bolus.optional else "") + (
                format_quantity(default, "mg/kg") if default is not None else "no default"
            )
        infusion = "-"
        if p.infusion is not None:
            infusion = format_quantity(p.infusion.default.value, p.infusion.default.unit)
        lines.append(f"{p.id:<26} {bolus:<15} {infusion:<22} {p.setting}")
    return "\n".join(lines) + "\n"
