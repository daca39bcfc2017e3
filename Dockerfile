# Essaim application image: `essaim serve` on port 8000, data (attachments) under /data.
# Used by compose.yaml (two replicas behind nginx); also runs alone on the embedded default
# (SQLite in /data) with: docker run -p 8000:8000 -v essaim-data:/data <image>

# Stage 1: build the wheel, the same one .ci/run installs in a fresh virtualenv and serves from.
FROM python:3.11-slim AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
# The build backend at its pinned version (constraints.txt), then the wheel built with it.
COPY constraints.txt ./
RUN pip install -c constraints.txt setuptools
# Only what the wheel is made of (pyproject's readme and packages); see .dockerignore.
COPY pyproject.toml README.md ./
COPY server ./server
COPY realtime ./realtime
COPY search ./search
COPY web ./web
COPY animation ./animation
RUN pip wheel --no-deps --no-build-isolation -w /wheels .

# Stage 2: the image itself holds the installed wheel and its pinned dependencies, no source.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Pango and a font for WeasyPrint (the diagnostics' PDF export).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

COPY --from=build /wheels /tmp/wheels
COPY constraints.txt /tmp/constraints.txt
RUN pip install -c /tmp/constraints.txt /tmp/wheels/essaim-*.whl \
    && rm -rf /tmp/wheels /tmp/constraints.txt

# Non-root user owning the data directory. A named volume mounted on /data starts with this
# ownership, so the app can write attachments (and the SQLite file on the embedded default).
RUN groupadd --system --gid 10001 essaim \
    && useradd --system --uid 10001 --gid essaim --home-dir /data --shell /usr/sbin/nologin essaim \
    && mkdir -p /data/attachments \
    && chown -R essaim:essaim /data
ENV ESSAIM_DATA_DIR=/data
VOLUME ["/data"]
WORKDIR /data
USER essaim

EXPOSE 8000
# No curl in slim images: ask the health endpoint (it queries the database) with Python.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; r = urllib.request.urlopen('http://127.0.0.1:8000/api/v1/health', timeout=4); sys.exit(0 if r.status == 200 else 1)"]
# Migrations are applied at start-up by `essaim serve`.
CMD ["essaim", "serve", "--host", "0.0.0.0", "--port", "8000"]
