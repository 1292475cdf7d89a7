"""The table of model modules: importing this module imports each so that metadata is complete (Alembic,
create_all, tests). Modules are named, not imported statically, so that `db` stays the bottom layer."""

import importlib

from niaga.db.base import Base

MODEL_MODULES: tuple[str, ...] = (
    "niaga.tenancy.models",
    "niaga.files.models",
    "niaga.catalog.models",
    "niaga.knowledge.models",
    "niaga.customers.models",
    "niaga.messaging.models",
    "niaga.orders.models",
    "niaga.agent.models",
    "niaga.jobs.models",
    "niaga.integrations.models",
    "niaga.printshop.models",
    "niaga.printshop.printing_models",
    "niaga.printshop.jobs_models",
    "niaga.marketing.models",
    "niaga.ops.models",
    "niaga.marketing.content_models",
    "niaga.publishing.models",
)
for _module in MODEL_MODULES:
    importlib.import_module(_module)

metadata = Base.metadata
