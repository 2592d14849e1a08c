#!/usr/bin/env python3
"""Generate boto3/botocore presigned-URL fixtures for the SigV4 Swift tests.

For a handful of fixed inputs this asks a real boto3 S3 client (path-style
addressing, custom endpoint_url, s3v4 signatures) for presigned GET URLs at a
fixed signing time, and writes them with their inputs to
Tests/SigV4Tests/Fixtures/boto3-presigned.json. The Swift tests then check that
SigV4Signer produces byte-identical URLs and that PresignedURLVerifier accepts
them (and rejects tampered or expired copies).

botocore reads the clock through botocore.auth.get_current_datetime (older
releases used datetime.datetime.utcnow directly), so that is what is patched.

Usage:
    python3 scripts/sigv4-fixtures.py            # rewrite the fixture file
    python3 scripts/sigv4-fixtures.py --check    # fail if the file is stale
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from unittest import mock
from urllib.parse import urlsplit

import boto3
import botocore
import botocore.auth
from botocore.config import Config

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "Tests" / "SigV4Tests" / "Fixtures" / "boto3-presigned.json"
HEADERS_OUTPUT = ROOT / "Tests" / "SigV4Tests" / "Fixtures" / "boto3-signed-headers.json"
DOWNLOADS_OUTPUT = ROOT / "Tests" / "AsyncJobsS3Tests" / "Fixtures" / "boto3-download-urls.json"

# AWS's documentation example key pair, and a second pair whose secret holds
# every character that must reach the HMAC untouched (access key IDs are
# [A-Z0-9] in AWS, and a '/' in one would make X-Amz-Credential ambiguous).
DOC_KEY = ("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
ODD_KEY = ("ASIAJOBSTEST2024EXMP", "s3cr3t+/with=odd chars== é")

CASES = [
    {
        "name": "loopback with port, us-east-1, 300 s",
        "endpoint": "http://127.0.0.1:8080",
        "bucket": "jobs",
        "key": "results/job-0001/output.json",
        "credentials": DOC_KEY,
        "session_token": None,
        "region": "us-east-1",
        "expires": 300,
        "signed_at": "2024-02-29T23:59:59",
        "params": {},
    },
    {
        "name": "AWS regional endpoint, eu-west-3, key with spaces, unicode and plus, one week",
        "endpoint": "https://s3.eu-west-3.amazonaws.com",
        "bucket": "asyncjobs-artifacts",
        "key": "reports/Q1 2024/résumé+final (v2).pdf",
        "credentials": DOC_KEY,
        "session_token": None,
        "region": "eu-west-3",
        "expires": 604800,
        "signed_at": "2025-06-01T12:00:00",
        "params": {},
    },
    {
        "name": "session token and odd access key, us-east-1",
        "endpoint": "https://s3.amazonaws.com",
        "bucket": "examplebucket",
        "key": "a/b/c.txt",
        "credentials": ODD_KEY,
        "session_token": "IQoJb3JpZ2luX2VjEMv//////////wEaCXVzLWVhc3QtMSJGMEQCIBSUbVdj9YGs2g0HkHsOHFdkwOozjARSKHL987NhhOC8AiBPepRU1obMvIbGU0T+WphFPgK/qpxaf5Snvm5M57XFkCqlAgjz==",
        "region": "us-east-1",
        "expires": 3600,
        "signed_at": "2013-05-24T00:00:00",
        "params": {},
    },
    {
        "name": "existing response-content-disposition, localhost, eu-west-3",
        "endpoint": "http://localhost:9000",
        "bucket": "jobs",
        "key": "exports/job 42/report.csv",
        "credentials": DOC_KEY,
        "session_token": None,
        "region": "eu-west-3",
        "expires": 300,
        "signed_at": "2026-01-01T00:00:00",
        "params": {
            "ResponseContentDisposition": 'attachment; filename="report 42.csv"',
        },
    },
    {
        "name": "explicit default port is not signed, reserved characters in key",
        "endpoint": "https://storage.example.com:443",
        "bucket": "b",
        "key": "data/~user/a=b&c;d,e:f@g$h!i*j'k(l)m[n].txt",
        "credentials": ODD_KEY,
        "session_token": "FQoGZXIvYXdzE/+token",
        "region": "eu-west-3",
        "expires": 604800,
        "signed_at": "2024-12-31T23:00:00",
        "params": {"ResponseContentType": "text/plain; charset=utf-8"},
    },
    {
        "name": "IPv6 loopback with port",
        "endpoint": "http://[::1]:9000",
        "bucket": "jobs",
        "key": "x.bin",
        "credentials": DOC_KEY,
        "session_token": None,
        "region": "us-east-1",
        "expires": 60,
        "signed_at": "2024-07-04T08:09:10",
        "params": {},
    },
]


def presign(case: dict) -> dict:
    access_key, secret_key = case["credentials"]
    client = boto3.client(
        "s3",
        region_name=case["region"],
        endpoint_url=case["endpoint"],
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        aws_session_token=case["session_token"],
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )
    seen: list[str] = []

    def capture(request, **_):
        # The URL botocore is about to sign: our presigner's input.
        seen.append(request.url)

    client.meta.events.register("before-sign.s3.GetObject", capture)
    signed_at = dt.datetime.fromisoformat(case["signed_at"])
    with mock.patch.object(botocore.auth, "get_current_datetime", return_value=signed_at):
        url = client.generate_presigned_url(
            "get_object",
            Params={"Bucket": case["bucket"], "Key": case["key"], **case["params"]},
            ExpiresIn=case["expires"],
            HttpMethod="GET",
        )
    if len(seen) != 1:
        sys.exit(f"{case['name']}: expected one signing event, saw {len(seen)}")
    parts = urlsplit(url)
    host = botocore.auth._host_from_url(url)
    return {
        "name": case["name"],
        "method": "GET",
        "access_key_id": access_key,
        "secret_access_key": secret_key,
        "session_token": case["session_token"],
        "region": case["region"],
        "service": "s3",
        "expires": case["expires"],
        "amz_date": signed_at.strftime("%Y%m%dT%H%M%SZ"),
        "unsigned_url": seen[0],
        "presigned_url": url,
        # What a server sees for this URL: the Host header and the raw request target.
        "host": host,
        "path": parts.path,
        "query": parts.query,
    }


# Requests signed with header authentication (botocore's S3SigV4Auth), as the S3 result store sends
# them: x-amz-content-sha256 is the body's real SHA-256, or UNSIGNED-PAYLOAD.
HEADER_CASES = [
    {
        "name": "PUT with the real payload hash, path-style loopback",
        "method": "PUT",
        "url": "http://127.0.0.1:9000/jobs/results/t/j/1/out.csv",
        "headers": {"Content-Type": "text/csv"},
        "body": "id,name\n1,a\n",
        "unsigned": False,
        "credentials": DOC_KEY,
        "session_token": None,
        "region": "us-east-1",
        "signed_at": "2026-11-23T11:35:00",
    },
    {
        "name": "UploadPart with UNSIGNED-PAYLOAD, session token, virtual-hosted",
        "method": "PUT",
        "url": "https://results.s3.eu-west-3.amazonaws.com/p/t/j/1/big.bin?partNumber=2&uploadId=abc%2Fdef%3D%3D",
        "headers": {},
        "body": "x" * 100,
        "unsigned": True,
        "credentials": ODD_KEY,
        "session_token": "FQoGZXIvYXdzE/+token",
        "region": "eu-west-3",
        "signed_at": "2025-02-28T23:59:59",
    },
    {
        "name": "CreateMultipartUpload with an empty body",
        "method": "POST",
        "url": "http://localhost:9000/jobs/a%20b/c.csv?uploads",
        "headers": {"Content-Type": "text/csv"},
        "body": "",
        "unsigned": False,
        "credentials": DOC_KEY,
        "session_token": None,
        "region": "us-east-1",
        "signed_at": "2024-02-29T00:00:01",
    },
]


def sign_headers(case: dict) -> dict:
    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    access_key, secret_key = case["credentials"]
    request = AWSRequest(method=case["method"], url=case["url"], data=case["body"].encode(), headers=dict(case["headers"]))
    auth = S3SigV4Auth(Credentials(access_key, secret_key, case["session_token"]), "s3", case["region"])
    signed_at = dt.datetime.fromisoformat(case["signed_at"])
    with mock.patch.object(botocore.auth, "get_current_datetime", return_value=signed_at), \
         mock.patch.object(S3SigV4Auth, "_should_sha256_sign_payload", return_value=not case["unsigned"]):
        auth.add_auth(request)
    return {
        "name": case["name"],
        "method": case["method"],
        "url": case["url"],
        "headers": case["headers"],
        "body": case["body"],
        "unsigned": case["unsigned"],
        "access_key_id": access_key,
        "secret_access_key": secret_key,
        "session_token": case["session_token"],
        "region": case["region"],
        "amz_date": signed_at.strftime("%Y%m%dT%H%M%SZ"),
        "content_sha256": request.headers["X-Amz-Content-SHA256"],
        "authorization": request.headers["Authorization"],
    }


# The S3 result store's download links, as boto3 makes them for the same bucket, key, disposition
# and time, path-style and virtual-hosted.
DOWNLOAD_CASES = [
    {"name": "path-style loopback", "endpoint": "http://127.0.0.1:9000", "style": "path", "prefix": "jobs",
     "region": "us-east-1", "session_token": None},
    {"name": "virtual-hosted AWS with a session token", "endpoint": "https://s3.eu-west-3.amazonaws.com", "style": "virtual",
     "prefix": "", "region": "eu-west-3", "session_token": "FQoGZXIvYXdzE/+token"},
    {"name": "virtual-hosted custom endpoint with a port", "endpoint": "http://localhost:9000", "style": "virtual",
     "prefix": "a/b", "region": "us-east-1", "session_token": None},
]


def download_url(case: dict) -> dict:
    access_key, secret_key = DOC_KEY
    client = boto3.client(
        "s3", region_name=case["region"], endpoint_url=case["endpoint"],
        aws_access_key_id=access_key, aws_secret_access_key=secret_key, aws_session_token=case["session_token"],
        config=Config(signature_version="s3v4", s3={"addressing_style": case["style"]}),
    )
    result_key = "tenant-1/job-42/1/report.csv"
    key = f"{case['prefix']}/{result_key}" if case["prefix"] else result_key
    signed_at = dt.datetime(2026, 11, 23, 11, 35, 0)
    with mock.patch.object(botocore.auth, "get_current_datetime", return_value=signed_at):
        url = client.generate_presigned_url(
            "get_object",
            Params={"Bucket": "results", "Key": key, "ResponseContentDisposition": 'attachment; filename="report.csv"'},
            ExpiresIn=900,
        )
    return {
        "name": case["name"], "endpoint": case["endpoint"], "path_style": case["style"] == "path",
        "prefix": case["prefix"], "region": case["region"], "bucket": "results",
        "access_key_id": access_key, "secret_access_key": secret_key, "session_token": case["session_token"],
        "result_key": result_key, "file_name": "report.csv", "expires": 900,
        "signed_at_epoch": int(signed_at.replace(tzinfo=dt.timezone.utc).timestamp()), "presigned_url": url,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify the fixture file is up to date")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()

    outputs = [
        (args.output, [presign(case) for case in CASES]),
        (HEADERS_OUTPUT, [sign_headers(case) for case in HEADER_CASES]),
        (DOWNLOADS_OUTPUT, [download_url(case) for case in DOWNLOAD_CASES]),
    ]
    for output, cases in outputs:
        document = {
            "generator": "scripts/sigv4-fixtures.py",
            "botocore_version": botocore.__version__,
            "boto3_version": boto3.__version__,
            "cases": cases,
        }
        text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        if args.check:
            current = output.read_text(encoding="utf-8") if output.exists() else ""
            # Versions may legitimately differ between machines; compare the cases only.
            if json.loads(current or "{}").get("cases") != document["cases"]:
                sys.exit(f"{output} is stale; rerun {Path(__file__).name}")
            continue
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
        print(f"wrote {len(document['cases'])} cases to {output}")


if __name__ == "__main__":
    main()
