"""Knowledge documents: the only source of store policies the agent may quote."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from niaga.kit.errors import Conflict, NotFound, ValidationFailed
from niaga.kit.tags import clean_tags, json_list_contains
from niaga.knowledge.models import KnowledgeDocument

_H2 = re.compile(r"^##\s+(.+?)\s*#*\s*$")


def parse_markdown(text: str) -> list[tuple[int, str, str]]:
    """Split Markdown into documents: each `## ` section is one document titled by its heading.

    Returns (section number from 1, title, content). Text before the first `## ` (the `# ` title and an
    introduction) is not a document. Headings inside fenced code blocks are ignored.
    """
    sections: list[tuple[int, str, str]] = []
    title: str | None = None
    body: list[str] = []
    fenced = False

    def close() -> None:
        if title is not None:
            sections.append((len(sections) + 1, title, "\n".join(body).strip()))

    for line in text.replace("\r\n", "\n").split("\n"):
        if line.lstrip().startswith("```"):
            fenced = not fenced
        m = None if fenced else _H2.match(line)
        if m:
            close()
            title, body = m.group(1).strip(), []
        elif title is not None:
            body.append(line)
    close()
    return sections


def get_document(db: Session, *, business_id: int, document_id: int) -> KnowledgeDocument:
    d = db.scalars(
        sa.select(KnowledgeDocument).where(
            KnowledgeDocument.id == document_id, KnowledgeDocument.business_id == business_id
        )
    ).first()
    if d is None:
        raise NotFound("Dokumen pengetahuan tidak ditemukan.", code="knowledge_not_found")
    return d


def get_by_title(db: Session, *, business_id: int, title: str) -> KnowledgeDocument | None:
    return db.scalars(
        sa.select(KnowledgeDocument).where(
            KnowledgeDocument.business_id == business_id,
            sa.func.lower(KnowledgeDocument.title) == title.strip().lower(),
        )
    ).first()


def list_documents(
    db: Session,
    *,
    business_id: int,
    search: str | None = None,
    category: str | None = None,
    tag: str | None = None,
    is_active: bool | None = None,
    offset: int = 0,
    limit: int = 20,
) -> tuple[list[KnowledgeDocument], int]:
    q = sa.select(KnowledgeDocument).where(KnowledgeDocument.business_id == business_id)
    if search and search.strip():
        term = search.strip()
        q = q.where(
            sa.or_(
                KnowledgeDocument.title.icontains(term, autoescape=True),
                KnowledgeDocument.content.icontains(term, autoescape=True),
            )
        )
    if category:
        q = q.where(sa.func.lower(KnowledgeDocument.category) == category.strip().lower())
    if tag:
        q = q.where(json_list_contains(KnowledgeDocument.tags, tag))
    if is_active is not None:
        q = q.where(KnowledgeDocument.is_active.is_(is_active))
    total = db.scalar(sa.select(sa.func.count()).select_from(q.subquery())) or 0
    q = q.order_by(KnowledgeDocument.title, KnowledgeDocument.id)
    return list(db.scalars(q.offset(offset).limit(limit))), total


def _check_title_free(db: Session, *, business_id: int, title: str, exclude_id: int | None = None) -> None:
    existing = get_by_title(db, business_id=business_id, title=title)
    if existing is not None and existing.id != exclude_id:
        raise Conflict(
            f"Dokumen berjudul '{title}' sudah ada.",
            code="knowledge_title_taken",
            details={"title": "Judul sudah dipakai dokumen lain."},
        )


def create_document(
    db: Session,
    *,
    business_id: int,
    title: str,
    content: str,
    category: str | None = None,
    tags: list[Any] | None = None,
    is_active: bool = True,
) -> KnowledgeDocument:
    title = title.strip()
    if not title or not content.strip():
        raise ValidationFailed(details={"title" if not title else "content": "Tidak boleh kosong."})
    _check_title_free(db, business_id=business_id, title=title)
    d = KnowledgeDocument(
        business_id=business_id,
        title=title,
        content=content.strip(),
        category=(category or "").strip() or None,
        tags=clean_tags(tags),
        is_active=is_active,
    )
    db.add(d)
    db.flush()
    return d


def update_document(db: Session, doc: KnowledgeDocument, **changes: Any) -> KnowledgeDocument:
    for k in ("title", "content", "tags", "is_active"):
        if k in changes and changes[k] is None:
            raise ValidationFailed(details={k: "Tidak boleh kosong."})
    if "title" in changes:
        changes["title"] = changes["title"].strip()
        _check_title_free(db, business_id=doc.business_id, title=changes["title"], exclude_id=doc.id)
    if "tags" in changes:
        changes["tags"] = clean_tags(changes["tags"])
    if "category" in changes:
        changes["category"] = (changes["category"] or "").strip() or None
    for k, v in changes.items():
        setattr(doc, k, v)
    db.flush()
    return doc


def upsert_document(
    db: Session, *, business_id: int, title: str, content: str, category: str | None = None
) -> tuple[KnowledgeDocument, bool]:
    """Create or replace the content of the document with this title (case-insensitive). (doc, created)."""
    existing = get_by_title(db, business_id=business_id, title=title)
    if existing is None:
        return create_document(
            db, business_id=business_id, title=title, content=content, category=category
        ), True
    existing.content = content.strip()
    if category:
        existing.category = category.strip()
    db.flush()
    return existing, False


def delete_document(db: Session, doc: KnowledgeDocument) -> None:
    db.delete(doc)
    db.flush()
