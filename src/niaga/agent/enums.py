"""The agent's closed vocabularies as `StrEnum`s: intents, plan modes, order-draft slots, fulfilment,
order statuses and handoff reasons.

They are `str` subclasses, so they compare equal to (and serialise as) the bare strings stored in
messages, conversation memory and the scorers' case files ("price_check", "awaiting_payment").
"""

from __future__ import annotations

from enum import StrEnum


class Intent(StrEnum):
    """The fixed list of intents a customer message is classified into (the shared scorer's list)."""

    GREETING = "greeting"
    STORE_INFO = "store_info"
    PRODUCT_QUERY = "product_query"
    PRICE_CHECK = "price_check"
    STOCK_CHECK = "stock_check"
    SHIPPING_COST = "shipping_cost"
    ORDER_CREATE = "order_create"
    ORDER_STATUS = "order_status"
    PAYMENT = "payment"
    PRINT_ORDER = "print_order"
    COMPLAINT = "complaint"
    HUMAN_HANDOFF = "human_handoff"
    THANKS = "thanks"
    OTHER = "other"


# Intents about one or more catalogue products (they resolve products and may use the products in focus).
PRODUCT_INTENTS = (
    Intent.PRODUCT_QUERY,
    Intent.PRICE_CHECK,
    Intent.STOCK_CHECK,
    Intent.SHIPPING_COST,
    Intent.ORDER_CREATE,
)


class Mode(StrEnum):
    """How the reply for an intent is written (a refinement of the intent)."""

    NONE = ""
    CONFIRM = "confirm"  # "ya" to an order draft
    CANCEL = "cancel"  # "batal" with a draft open
    SLOT = "slot"  # the answer to the question the draft waits on
    PRINT = "print"  # a print-shop request (price list, not catalogue)
    INHERIT = "inherit"  # a follow-up that keeps the previous intent and products
    PROMO = "promo"
    RECOMMEND = "recommend"
    ASK = "ask"  # a price/stock/order word with nothing to apply it to: ask which product
    ACK = "ack"  # "ok", "sip" with nothing pending
    COMPARE = "compare"  # two products set side by side ("bedanya X sama Y", "mana yg lebih murah, X atau Y")
    EDIT = "edit"  # a line of the open order draft added or recounted ("tambah 1 peci", "yang sirah jadi 2")
    CATALOGUE = "catalogue"  # what the shop sells asked ("jualan apa aja?"): its categories, with examples


class DraftSlot(StrEnum):
    """What an order draft still needs before the customer can confirm it, in the order it is asked."""

    FULFILMENT = "fulfilment"
    COURIER = "courier"
    ADDRESS = "address"
    NAME = "name"
    CONFIRM = "confirm"


class Fulfilment(StrEnum):
    DELIVERY = "delivery"
    PICKUP = "pickup"


class OrderStatus(StrEnum):
    """Order states as the orders domain stores them (orders.service's transitions)."""

    DRAFT = "draft"
    AWAITING_PAYMENT = "awaiting_payment"
    PAID = "paid"
    PROCESSING = "processing"
    READY = "ready"
    SHIPPED = "shipped"
    PICKED_UP = "picked_up"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    REFUNDED = "refunded"


class HandoffReason(StrEnum):
    """Why a conversation went to staff (stored as the conversation's handoff reason)."""

    REQUEST = "request"
    CUSTOMER_REQUEST = "customer_request"
    UNANSWERED = "unanswered"
    COMPLAINT = "complaint"
    ANGRY = "angry"
    MODEL = "model"
