#!/usr/bin/env python3
"""The baseline for the executor benchmarks: a Kling Motion Control client written the way
users' ad-hoc scripts are (stdlib only).

  1. Submit every render from a pool of worker threads as fast as it can, without an
     external_task_id. On any error (1303, 1302, 5xx, a dropped connection, a timeout) sleep
     briefly and POST again -- which is how a lost answer to a create that did succeed turns
     into a second, paid task.
  2. Then poll each task by id every few seconds until it has finished, and download its result.

    naive-client.py --url URL --renders N [--workers 32] [--time-scale S]
                    [--retry-sleep 5] [--poll-every 5] [--json]

--retry-sleep and --poll-every are in simulated seconds (divided by --time-scale), like
troupe's --poll-interval. Prints a JSON summary: makespan, creates attempted, errors by kind.
"""
import argparse, base64, concurrent.futures as cf, hashlib, hmac, json, threading, time, urllib.error, urllib.request

p = argparse.ArgumentParser()
p.add_argument("--url", required=True)
p.add_argument("--renders", type=int, required=True)
p.add_argument("--workers", type=int, default=32)
p.add_argument("--time-scale", type=float, default=1)
p.add_argument("--retry-sleep", type=float, default=5, help="simulated seconds")
p.add_argument("--poll-every", type=float, default=5, help="simulated seconds")
p.add_argument("--access", default="sim-access-key")
p.add_argument("--secret", default="sim-secret-key")
a = p.parse_args()
scale = a.time_scale


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=")


_token = {"value": None, "at": 0.0}
_token_lock = threading.Lock()


def token():
    with _token_lock:
        now = time.time()
        if _token["value"] is None or now - _token["at"] > 600:
            head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
            body = b64(json.dumps({"iss": a.access, "exp": int(now) + 1800, "nbf": int(now) - 5}, separators=(",", ":")).encode())
            sig = b64(hmac.new(a.secret.encode(), head + b"." + body, hashlib.sha256).digest())
            _token["value"], _token["at"] = (head + b"." + body + b"." + sig).decode(), now
        return _token["value"]


counts = {}
counts_lock = threading.Lock()


def count(kind):
    with counts_lock:
        counts[kind] = counts.get(kind, 0) + 1


def call(method, path, body=None, raw=False):
    """One HTTP call. Returns (status, parsed JSON or bytes); raises on network errors."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(a.url + path, data=data, method=method,
                                 headers={"Authorization": "Bearer " + token(), "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            payload = r.read()
            return r.status, (payload if raw else json.loads(payload))
    except urllib.error.HTTPError as e:
        payload = e.read()
        try:
            return e.code, json.loads(payload)
        except ValueError:
            return e.code, {}


def submit(i, clips):
    c, k = divmod(i, clips)
    body = {"model_name": "kling-v3", "mode": "std", "character_orientation": "video", "prompt": "sim",
            "image_url": f"https://media.example/c{c}.png", "video_url": f"https://media.example/k{k}.mp4",
            "keep_original_sound": "yes"}
    while True:
        count("create_attempts")
        try:
            status, reply = call("POST", "/v1/videos/motion-control", body)
        except Exception as e:  # dropped connection, timeout: try again
            count("create_network_errors")
            time.sleep(a.retry_sleep / scale)
            continue
        if status == 200 and reply.get("code") == 0:
            return reply["data"]["task_id"]
        count(f"create_{reply.get('code', status)}")
        time.sleep(a.retry_sleep / scale)


def finish(task_id):
    while True:
        time.sleep(a.poll_every / scale)
        try:
            status, reply = call("GET", f"/v1/videos/motion-control/{task_id}")
        except Exception:
            count("poll_network_errors")
            continue
        if status != 200 or reply.get("code") != 0:
            count(f"poll_{reply.get('code', status)}")
            continue
        data = reply["data"]
        if data["task_status"] == "failed":
            return "failed"
        if data["task_status"] == "succeed":
            url = data["task_result"]["videos"][0]["url"]
            for _ in range(5):
                try:
                    with urllib.request.urlopen(url, timeout=30) as r:
                        r.read()
                    return "succeed"
                except Exception:
                    count("download_errors")
                    time.sleep(a.retry_sleep / scale)
            return "download_failed"


clips = 25 if a.renders % 25 == 0 else 1
start = time.monotonic()
with cf.ThreadPoolExecutor(a.workers) as pool:
    ids = list(pool.map(lambda i: submit(i, clips), range(a.renders)))
    submitted = time.monotonic() - start
    outcomes = list(pool.map(finish, ids))
makespan = time.monotonic() - start
print(json.dumps({"renders": a.renders, "makespan_s": round(makespan, 3), "submit_phase_s": round(submitted, 3),
                  "succeeded": outcomes.count("succeed"), "failed": len(outcomes) - outcomes.count("succeed"),
                  "counts": counts}))
