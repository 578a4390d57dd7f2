#!/usr/bin/env python3
"""Rebuilds plg360's free-mail and disposable domain lists (common/src/main/resources/identity/) from the published
npm packages.

    python3 common/identity-lists/refresh.py [--free-email-domains V] [--email-providers V]
                                             [--disposable-email-domains V]

Needs npm (it runs `npm pack`, nothing is installed). The free-mail list is the union of free-email-domains (MIT)
and email-providers' all.json (ISC), plus the providers in free-mail-additions.txt that neither has; the disposable
list is disposable-email-domains (MIT). Each file's header names the packages and versions it came from.
"""
import argparse
import json
import subprocess
import tarfile
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
LISTS = HERE.parent / "src" / "main" / "resources" / "identity"


def package(name, version, work):
    """The files of an npm package's tarball, by their path inside it."""
    out = subprocess.run(["npm", "pack", f"{name}@{version}", "--silent"], cwd=work, check=True,
                         capture_output=True, text=True).stdout.strip().splitlines()[-1]
    files = {}
    with tarfile.open(Path(work, out)) as tar:
        for member in tar.getmembers():
            if member.isfile():
                files[member.name.removeprefix("package/")] = tar.extractfile(member).read().decode("utf-8")
    return files


def domains(lines):
    """Lower-case domains, one a line, comments and blanks left out."""
    return {line.strip().lower() for line in lines if line.strip() and not line.startswith("#")}


def write(path, header, values):
    path.write_text("".join(f"# {h}\n" for h in header) + "".join(f"{d}\n" for d in sorted(values)), encoding="utf-8")


def main():
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--free-email-domains", default="1.12.6")
    args.add_argument("--email-providers", default="2.27.0")
    args.add_argument("--disposable-email-domains", default="1.0.62")
    a = args.parse_args()
    with tempfile.TemporaryDirectory() as work:
        free = json.loads(package("free-email-domains", a.free_email_domains, work)["domains.json"])
        providers = json.loads(package("email-providers", a.email_providers, work)["all.json"])
        disposable = json.loads(package("disposable-email-domains", a.disposable_email_domains, work)["index.json"])
    additions = domains((HERE / "free-mail-additions.txt").read_text(encoding="utf-8").splitlines())
    write(LISTS / "free-mail-domains.txt", [
        "Free-mail and webmail domains: an address here never defines a company.",
        f"The npm packages free-email-domains {a.free_email_domains} (MIT) and email-providers {a.email_providers} "
        "(ISC, all.json), and common/identity-lists/free-mail-additions.txt.",
        "Rebuilt by common/identity-lists/refresh.py; one domain a line."],
        domains(free) | domains(providers) | additions)
    write(LISTS / "disposable-domains.txt", [
        "Disposable (throwaway) email domains: a lead on one is junk.",
        f"The npm package disposable-email-domains {a.disposable_email_domains} (MIT).",
        "Rebuilt by common/identity-lists/refresh.py; one domain a line."],
        domains(disposable))


if __name__ == "__main__":
    main()
