#!/usr/bin/env python3
"""Write the seed corpus of the PresignedURL fuzz target (Fuzz/Corpus/PresignedURL).

Each seed is a request target (`/path?query`) as our download route receives it, pre-signed by
botocore at the instant and with the key the fuzz target verifies against (2026-01-01T00:00:00Z,
AKIAFUZZEXAMPLE00000 / fuzz/secret/key, us-east-1), so the fuzzer starts from URLs that verify and
mutates them from there. Files named valid-* must verify; the others must be refused.

Usage: python3 scripts/fuzz-seeds.py
"""

import datetime as dt
from pathlib import Path
from unittest import mock
from urllib.parse import quote, urlsplit

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

OUT = Path(__file__).resolve().parent.parent / "Fuzz" / "Corpus" / "PresignedURL"
SIGNED_AT = dt.datetime(2026, 1, 1, 0, 0, 0, tzinfo=dt.timezone.utc)
CREDENTIALS = Credentials("AKIAFUZZEXAMPLE00000", "fuzz/secret/key")


def presign(path: str, expires: int = 300, extra: str = "", credentials=CREDENTIALS) -> str:
    url = "http://127.0.0.1:8080" + path + (("?" + extra) if extra else "")
    request = AWSRequest(method="GET", url=url)
    with mock.patch.object(botocore.auth, "get_current_datetime", return_value=SIGNED_AT.replace(tzinfo=None)):
        botocore.auth.S3SigV4QueryAuth(credentials, "s3", "us-east-1", expires=expires).add_auth(request)
    parts = urlsplit(request.url)
    return parts.path + "?" + parts.query


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    seeds = {
        "valid-plain": presign("/v1/results/tenant-1/job-1/demo.csv"),
        "valid-odd-key": presign("/v1/results/" + quote("t/j/ré sult+1 (copy).csv", safe="/")),
        "valid-disposition": presign(
            "/v1/results/t/j/demo.csv", extra="response-content-disposition=" + quote('attachment; filename="demo.csv"', safe="")
        ),
        "valid-one-week": presign("/v1/results/t/j/demo.csv", expires=604800),
        "refused-unknown-key": presign("/v1/results/t/j/demo.csv", credentials=Credentials("AKIAOTHER00000000000", "x")),
        "refused-too-long": presign("/v1/results/t/j/demo.csv", expires=604801),
    }
    tampered = seeds["valid-plain"].replace("demo.csv", "other.csv")
    seeds["refused-tampered-path"] = tampered
    seeds["refused-duplicate-signature"] = seeds["valid-plain"] + "&X-Amz-Signature=" + "0" * 64
    seeds["refused-empty"] = "/v1/results/t/j/demo.csv"
    seeds["refused-traversal"] = seeds["valid-plain"].replace("/v1/results/tenant-1", "/v1/results/../../etc")
    for name, target in seeds.items():
        (OUT / name).write_text(target)
    print(f"wrote {len(seeds)} seeds to {OUT}")


if __name__ == "__main__":
    main()
