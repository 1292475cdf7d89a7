"""LibreOffice UNO bridge, run by the SYSTEM python3 (Debian's python3-uno), never imported by niaga.

Protocol: one JSON object per line on stdin {"src": path, "out": path}; one JSON line back per request,
{"ok": true} or {"ok": false, "error": "..."}. Argument 1 is the UNO connection string of the soffice
listener that niaga started. File names travel as JSON data and file URLs, never through a shell.
"""

import json
import sys
import time

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def connect(conn, deadline):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    last = None
    while time.monotonic() < deadline:
        try:
            ctx = resolver.resolve(f"uno:{conn};urp;StarOffice.ComponentContext")
            return ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        except Exception as exc:  # the listener is still starting
            last = exc
            time.sleep(0.1)
    raise RuntimeError(f"cannot connect to soffice: {last}")


def export_filter(doc):
    if doc.supportsService("com.sun.star.sheet.SpreadsheetDocument"):
        return "calc_pdf_Export"
    if doc.supportsService("com.sun.star.presentation.PresentationDocument"):
        return "impress_pdf_Export"
    if doc.supportsService("com.sun.star.drawing.DrawingDocument"):
        return "draw_pdf_Export"
    return "writer_pdf_Export"


def main():
    desktop = connect(sys.argv[1], time.monotonic() + float(sys.argv[2] if len(sys.argv) > 2 else 60))
    sys.stdout.write(json.dumps({"ready": True}) + "\n")
    sys.stdout.flush()
    for line in sys.stdin:
        req = json.loads(line)
        doc = None
        try:
            load = (
                prop("Hidden", True),
                prop("ReadOnly", True),
                prop("UpdateDocMode", 0),
                prop("MacroExecutionMode", 0),
                prop("Password", ""),
            )
            doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(req["src"]), "_blank", 0, load)
            if doc is None:
                raise RuntimeError("LibreOffice could not open the document")
            try:  # refresh fields and indexes (table of contents) before export
                doc.getDocumentIndexes()
                idx = doc.getDocumentIndexes()
                for i in range(idx.getCount()):
                    idx.getByIndex(i).update()
                doc.getTextFields().refresh()
            except Exception:
                pass
            doc.storeToURL(uno.systemPathToFileUrl(req["out"]), (prop("FilterName", export_filter(doc)),))
            reply = {"ok": True}
        except Exception as exc:
            reply = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        finally:
            if doc is not None:
                try:
                    doc.close(True)
                except Exception:
                    pass
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
