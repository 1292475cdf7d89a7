"""Customers and their channel identities."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from niaga.customers.models import Customer, CustomerIdentity
from niaga.kit.timeutil import utcnow


def get_or_create_by_identity(db: Session, *, business_id: int, channel: str, external_id: str,
                              name: str | None = None, phone: str | None = None) -> Customer:
    """The customer behind a channel identity (WhatsApp number, Telegram chat id, web visitor id),
    created on first contact. Safe under concurrent first messages (unique per business+channel+id)."""
    ident = db.scalars(sa.select(CustomerIdentity).where(
        CustomerIdentity.business_id == business_id, CustomerIdentity.channel == channel,
        CustomerIdentity.external_id == external_id)).first()
    if ident is not None:
        customer = db.get(Customer, ident.customer_id)
        assert customer is not None
        if name and not customer.name:
            customer.name = name
        customer.last_seen_at = utcnow()
        return customer
    customer = None
    if phone:
        # A WhatsApp number may already be known from an import: link instead of duplicating.
        customer = db.scalars(sa.select(Customer).where(Customer.business_id == business_id,
                                                        Customer.phone == phone)).first()
    try:
        with db.begin_nested():
            if customer is None:
                customer = Customer(business_id=business_id, name=name or "", phone=phone, last_seen_at=utcnow())
                db.add(customer)
                db.flush()
            db.add(CustomerIdentity(business_id=business_id, customer_id=customer.id, channel=channel,
                                    external_id=external_id, display_name=name))
            db.flush()
    except IntegrityError:
        ident = db.scalars(sa.select(CustomerIdentity).where(
            CustomerIdentity.business_id == business_id, CustomerIdentity.channel == channel,
            CustomerIdentity.external_id == external_id)).one()
        customer = db.get(Customer, ident.customer_id)
        assert customer is not None
    return customer
