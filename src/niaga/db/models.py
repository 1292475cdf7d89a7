"""Import every domain's models so that metadata is complete (Alembic, create_all, tests)."""

from niaga.agent import models as agent_models  # noqa: F401
from niaga.catalog import models as catalog_models  # noqa: F401
from niaga.conversations import models as conversation_models  # noqa: F401
from niaga.customers import models as customer_models  # noqa: F401
from niaga.db.base import Base
from niaga.integrations import models as integration_models  # noqa: F401
from niaga.jobs import models as job_models  # noqa: F401
from niaga.knowledge import models as knowledge_models  # noqa: F401
from niaga.marketing import models as marketing_models  # noqa: F401
from niaga.orders import models as order_models  # noqa: F401
from niaga.tenancy import models as tenancy_models  # noqa: F401

metadata = Base.metadata
