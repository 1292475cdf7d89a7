# niaga production image: web (`niaga serve --no-worker`) and worker (`niaga worker`) run from the same image.
# Build: docker build -t niaga .   Run: see deploy/compose.yaml.
FROM python:3.11-slim-bookworm AS build
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY src ./src
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    NIAGA_ENV=production NIAGA_HOME=/data NIAGA_HOST=0.0.0.0 NIAGA_PORT=8000
# Print shop: LibreOffice headless (DOCX -> PDF) with Word-metric fonts, the CUPS client (`lp`), and the
# PostgreSQL client for `niaga backup` (pg_dump/pg_restore).
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libreoffice-writer-nogui libreoffice-calc-nogui libreoffice-impress-nogui python3-uno \
      fonts-dejavu-core fonts-liberation2 fonts-crosextra-carlito fonts-crosextra-caladea fonts-noto-color-emoji \
      cups-client postgresql-client libgl1 libglib2.0-0 tini \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
RUN groupadd --system --gid 1000 niaga \
 && useradd --system --uid 1000 --gid niaga --home-dir /data --shell /usr/sbin/nologin niaga \
 && mkdir -p /data && chown niaga:niaga /data
USER niaga
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"
ENTRYPOINT ["tini", "--"]
CMD ["niaga", "serve", "--no-worker"]
