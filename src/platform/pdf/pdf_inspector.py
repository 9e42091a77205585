"""Lantai's PDF inspector: a long-lived helper that opens PDFs with pikepdf (qpdf's
library), so checking thousands of PDFs costs one process start, not one each.

Reads one JSON request per line on stdin: {"path": "...", "xmp": true}; writes one
JSON answer per line on stdout. Never raises for a bad PDF: the answer says what is
wrong. Its address space is capped so a hostile PDF cannot take the machine's memory.
"""

import json
import resource
import sys

NEEDLE = b"/ByteRange"
CHUNK = 1024 * 1024


def may_hold_signature(path):
    # Signature dictionaries carry a /ByteRange that signing software patches in place,
    # so it is never inside a compressed object stream: a byte scan finds every one.
    tail = b""
    with open(path, "rb") as f:
        while True:
            chunk = f.read(CHUNK)
            if not chunk:
                return False
            window = tail + chunk
            if NEEDLE in window:
                return True
            tail = window[-(len(NEEDLE) - 1):]


def xmp_facts(pdf):
    try:
        meta = pdf.open_metadata()
    except Exception:  # a broken XMP packet is not a broken PDF
        return None, None, None
    part = meta.get("pdfaid:part")
    conformance = meta.get("pdfaid:conformance")
    tool = meta.get("xmp:CreatorTool")
    return part, conformance, tool


def docinfo(pdf, key):
    try:
        value = pdf.docinfo.get(key)
        return str(value) if value is not None else None
    except Exception:
        return None


def inspect(pikepdf, request):
    path = request["path"]
    answer = {"status": "ok", "problems": [], "pages": None, "version": None, "encrypted": False,
              "signed": False, "pdfa": None, "creator": None, "producer": None}
    try:
        answer["signed"] = may_hold_signature(path)
        with pikepdf.open(path) as pdf:
            answer["version"] = pdf.pdf_version
            answer["encrypted"] = bool(pdf.is_encrypted)
            answer["pages"] = len(pdf.pages)
            if request.get("xmp"):
                part, conformance, tool = xmp_facts(pdf)
                if part:
                    answer["pdfa"] = {"part": str(part), "conformance": str(conformance or "")}
                answer["creator"] = str(tool) if tool else docinfo(pdf, "/Creator")
                answer["producer"] = docinfo(pdf, "/Producer")
            # check() decodes every stream and parses every page's content, like `qpdf --check`.
            problems = [str(p) for p in pdf.check()]
            if problems:
                answer["status"] = "warnings"
                answer["problems"] = problems[:20]
    except pikepdf.PasswordError as err:
        answer.update(status="password", problems=[str(err)])
    except (pikepdf.PdfError, ValueError, RuntimeError) as err:
        answer.update(status="damaged", problems=[str(err)])
    except MemoryError:
        answer.update(status="damaged", problems=["out of memory while reading the PDF"])
    except OSError as err:
        answer.update(status="unreadable", problems=[str(err)])
    return answer


def main():
    limit = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    if limit > 0:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        import pikepdf
    except ImportError as err:
        print(json.dumps({"ready": False, "error": str(err)}), flush=True)
        return
    print(json.dumps({"ready": True, "engine": "pikepdf %s (qpdf %s)" % (pikepdf.__version__, pikepdf.__libqpdf_version__)}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        answer = inspect(pikepdf, request)
        answer["id"] = request.get("id")
        print(json.dumps(answer, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
