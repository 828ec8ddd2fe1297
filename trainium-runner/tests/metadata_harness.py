"""Run by test_red_team_metadata inside `unshare --net` (as root): a fake metadata service on this namespace's
loopback, then bootstrap.sh as SSM runs it (which installs the metadata block), then probes after the run.

argv: <bootstrap.sh> <env json for bootstrap> <sandbox uid to probe with afterwards>. Prints one JSON line.
"""

import json
import os
import socket
import subprocess
import sys
import threading
import time

ADDRESSES = ((socket.AF_INET, "169.254.169.254"), (socket.AF_INET6, "fd00:ec2::254"))
PORT = 80


def listen(family, address, accepted):
    server = socket.socket(family, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((address, PORT))
    server.listen(64)

    def serve():
        while True:
            connection, peer = server.accept()
            accepted.append(address)
            connection.close()

    threading.Thread(target=serve, daemon=True).start()


def probe(family, address, uid=None):
    """'connected' or the error, from a child that first becomes `uid` (None: stays root)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            if uid is not None:
                os.setgroups([])
                os.setgid(uid)
                os.setuid(uid)
            with socket.socket(family, socket.SOCK_STREAM) as client:
                client.settimeout(3)
                client.connect((address, PORT))
            outcome = "connected"
        except OSError as error:
            outcome = type(error).__name__
        os.write(write_end, outcome.encode())
        os._exit(0)
    os.close(write_end)
    outcome = os.read(read_end, 200).decode()
    os.waitpid(pid, 0)
    return outcome


def main():
    bootstrap, env_json, uid = sys.argv[1], sys.argv[2], int(sys.argv[3])
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    subprocess.run(["ip", "addr", "add", "169.254.169.254/32", "dev", "lo"], check=True)
    subprocess.run(["ip", "-6", "addr", "add", "fd00:ec2::254/128", "dev", "lo", "nodad"], check=True)
    accepted = []
    for family, address in ADDRESSES:
        listen(family, address, accepted)
    root_before = {address: probe(family, address) for family, address in ADDRESSES}
    done = subprocess.run(["bash", bootstrap], env=json.loads(env_json), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(0.2)
    report = {
        "bootstrapExit": done.returncode,
        "bootstrapStderr": done.stderr.decode("utf-8", "replace")[-2000:],
        "rootBefore": root_before,
        "sandboxUidAfter": {address: probe(family, address, uid) for family, address in ADDRESSES},
        "rootAfter": {address: probe(family, address) for family, address in ADDRESSES},
    }
    time.sleep(0.2)
    report["accepted"] = accepted
    print(json.dumps(report))


if __name__ == "__main__":
    main()
