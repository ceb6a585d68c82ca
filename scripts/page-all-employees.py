#!/usr/bin/env python3
"""Pages every employee of a Personio account through API v1 and v2 and checks both give
the same people. Written from Personio's public API documentation only (standard library,
no project code), so it works the same against api.personio.de and the local sandbox.

usage: page-all-employees.py BASE_URL CLIENT_ID   (client secret in PERSONIO_CLIENT_SECRET)
prints: "<n> employees, v1 and v2 agree" and exits 0, or says what differs and exits 1.
"""

import json
import os
import sys
import urllib.parse
import urllib.request


def call(method, url, token=None, form=None, body=None):
    headers = {"Accept": "application/json"}
    data = None
    if token:
        headers["Authorization"] = "Bearer " + token
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)


def v1_ids(base, client_id, secret):
    auth = call("POST", base + "/v1/auth", body={"client_id": client_id, "client_secret": secret})
    token = auth["data"]["token"]
    ids, offset = [], 0
    for _ in range(100000):
        page = call("GET", f"{base}/v1/company/employees?limit=100&offset={offset}", token)
        employees = page["data"]
        if not employees:
            break
        ids += [e["attributes"]["id"]["value"] for e in employees]
        offset += len(employees)
        if offset >= page["metadata"]["total_elements"]:
            break
    return ids


def v2_ids(base, client_id, secret):
    auth = call(
        "POST",
        base + "/v2/auth/token",
        form={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
    )
    token = auth["access_token"]
    ids, url = [], base + "/v2/persons?limit=50"
    for _ in range(100000):
        page = call("GET", url, token)
        ids += [int(p["id"]) for p in page["_data"]]
        url = (((page.get("_meta") or {}).get("links") or {}).get("next") or {}).get("href")
        if not url:
            break
    return ids


def main():
    if len(sys.argv) != 3 or "PERSONIO_CLIENT_SECRET" not in os.environ:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    base, client_id = sys.argv[1].rstrip("/"), sys.argv[2]
    secret = os.environ["PERSONIO_CLIENT_SECRET"]
    one, two = v1_ids(base, client_id, secret), v2_ids(base, client_id, secret)
    for name, ids in (("v1", one), ("v2", two)):
        if len(ids) != len(set(ids)):
            print(f"{name} repeated {len(ids) - len(set(ids))} employees")
            return 1
    if set(one) != set(two):
        print(f"v1 and v2 differ: {len(set(one) - set(two))} only in v1, {len(set(two) - set(one))} only in v2")
        return 1
    print(f"{len(one)} employees, v1 and v2 agree")
    return 0


if __name__ == "__main__":
    sys.exit(main())
