"""Ringkasan: today's and this month's figures and three charts."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from niaga.web import stats
from niaga.web.core import WebDb, has_module, load_ctx, render
from niaga.web.i18n import status_label

router = APIRouter()


@router.get("/app", response_class=HTMLResponse)
def overview(request: Request, db: WebDb) -> Response:
    ctx = load_ctx(request, db, None)
    if not ctx.can("staff"):
        if ctx.can("operator"):
            from niaga.web.core import redirect

            return redirect("/app/cetak", request)
        ctx.require("staff")
    data = stats.compute(db, ctx.business)
    print_stats = None
    if has_module(ctx.business, "print"):
        from niaga.printshop import jobs_stats

        print_stats = jobs_stats.compute(db, ctx.business)
    return render(
        ctx,
        request,
        "overview.html",
        active="overview",
        title=ctx.t("nav.overview"),
        s=data,
        chart_data=data.chart_data(),
        status_labels=[status_label(k, ctx.lang) for k in data.status_counts],
        ps=print_stats,
    )
