"""open badges credentials

Revision ID: a30000000003
Revises: a20000000002
Create Date: 2026-12-04 02:43:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = 'a30000000003'
down_revision = 'a20000000002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "credentials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("tandem_id", sa.Integer(), nullable=True),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("module_slug", sa.String(length=64), nullable=False),
        sa.Column("module_version", sa.Integer(), nullable=False),
        sa.Column("taught_by", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_reason", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["group_id"], ["groups.id"], name=op.f("fk_credentials_group_id_groups")),
        sa.ForeignKeyConstraint(["learner_id"], ["people.id"], name=op.f("fk_credentials_learner_id_people")),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"], name=op.f("fk_credentials_organisation_id_organisations")),
        sa.ForeignKeyConstraint(["programme_id"], ["programmes.id"], name=op.f("fk_credentials_programme_id_programmes")),
        sa.ForeignKeyConstraint(["tandem_id"], ["tandems.id"], name=op.f("fk_credentials_tandem_id_tandems")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credentials")),
        sa.UniqueConstraint("public_id", name=op.f("uq_credentials_public_id")),
    )
    op.create_index(op.f("ix_credentials_group_id"), "credentials", ["group_id"], unique=False)
    op.create_index(op.f("ix_credentials_learner_id"), "credentials", ["learner_id"], unique=False)
    op.create_index(op.f("ix_credentials_organisation_id"), "credentials", ["organisation_id"], unique=False)
    op.create_index(op.f("ix_credentials_programme_id"), "credentials", ["programme_id"], unique=False)
    op.create_index("ix_credentials_tandem_module", "credentials", ["tandem_id", "module_slug", "module_version"], unique=False)


def downgrade():
    op.drop_index("ix_credentials_tandem_module", table_name="credentials")
    op.drop_index(op.f("ix_credentials_programme_id"), table_name="credentials")
    op.drop_index(op.f("ix_credentials_organisation_id"), table_name="credentials")
    op.drop_index(op.f("ix_credentials_learner_id"), table_name="credentials")
    op.drop_index(op.f("ix_credentials_group_id"), table_name="credentials")
    op.drop_table("credentials")
