"""The baseline: a bare FastAPI app that answers 200, served by the same uvicorn as niaga."""

from fastapi import FastAPI, Request

app = FastAPI()


@app.get("/ping")
def ping() -> dict:
    return {"ok": True}


@app.post("/ping")
async def ping_post(request: Request) -> dict:
    await request.body()
    return {"ok": True}
