"""Writes the report folder atomically: everything is built in a hidden temporary folder next to
REPORT_DIR and renamed into place only when complete; an earlier report there is replaced whole.
On any error the temporary folder is removed and REPORT_DIR is left as it was (or absent)."""
import os
import shutil
import tempfile
from pathlib import Path

from . import figure_workers, figures, html, loading, markdown, sections
from .errors import InputError


def labels_for(inputs):
    """Each folder's name (its last path part), made unique with ' (2)', ' (3)'..."""
    out, seen = [], {}
    for p in inputs:
        name = Path(p).resolve().name or str(p)
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out


def _check_out(out, inputs):
    target = out.resolve()
    for p in inputs:
        src = Path(p).resolve()
        if target == src or target in src.parents:
            raise InputError(out, f"the report folder would replace the input folder {p}; "
                                  "choose another --out")
    if out.exists() or out.is_symlink():
        if not out.is_dir():
            raise InputError(out, "exists and is not a folder; choose another --out")
        if any(out.iterdir()) and not (out / "index.html").exists():
            raise InputError(out, "exists and is not a report (no index.html): not replacing it; "
                                  "choose another --out or remove it")


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _replace(tmp, out):
    if not out.exists():
        os.rename(tmp, out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=out.parent))
    os.rmdir(old)
    os.rename(out, old)
    try:
        os.rename(tmp, out)
    except BaseException:
        os.rename(old, out)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _png_size(path):
    import struct
    with open(path, "rb") as f:
        head = f.read(24)
    return struct.unpack(">II", head[16:24])


def _set_figure_sizes(doc, folder):
    """Each figure's <img> size from its PNG (drawn by then)."""
    from .content import Figure
    for blocks in [doc.intro] + [s.blocks for s in doc.sections]:
        for b in blocks:
            if isinstance(b, Figure) and not b.width:
                b.width, b.height = _png_size(folder / b.src)


def write_report(inputs, out, title=None, emulated=None, formats=figures.DEFAULT_FORMATS,
                 workers=None):
    """Reads every input folder (raising InputError on a bad one before anything is written),
    then builds index.html, summary.md and figures/ (NAME.png, and NAME.<format> for each other
    of formats) into REPORT_DIR. The figures are drawn by `workers` processes (default: one per
    CPU, at most 4; 0: in this process). Returns REPORT_DIR."""
    out = Path(out)
    # Started first: the workers import matplotlib while the inputs are read.
    renderer = figure_workers.Renderer(
        formats, figure_workers.worker_count() if workers is None else workers)
    tmp = None
    try:
        with renderer:
            folders = [loading.load_folder(p, label)
                       for p, label in zip(inputs, labels_for(inputs))]
            _check_out(out, inputs)
            parent = out.resolve().parent
            try:
                parent.mkdir(parents=True, exist_ok=True)
                tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=parent))
            except OSError as e:
                raise InputError(out, f"cannot create the report folder: {e.strerror}") from None
            os.chmod(tmp, 0o777 & ~_umask())
            (tmp / "figures").mkdir()
            extra = {} if emulated is None else {"emulated": emulated}   # emu_comparison
            doc = sections.build(folders, tmp / "figures", title, **extra)
            renderer.wait()
        _set_figure_sizes(doc, tmp)
        (tmp / "index.html").write_text(html.render(doc, renderer.formats), encoding="utf-8")
        (tmp / "summary.md").write_text(markdown.render(doc), encoding="utf-8")
        _replace(tmp, parent / out.name)
    except OSError as e:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        raise InputError(out, f"cannot write the report: {e}") from None
    except BaseException:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out
