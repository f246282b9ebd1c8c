"""self-assessment questionnaires and answers

Revision ID: a10000000001
Revises: 9b0000000005
Create Date: 2026-12-04 02:41:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a10000000001'
down_revision = '9b0000000005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "programme_questionnaires",
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("slugs", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["programme_id"], ["programmes.id"], name=op.f("fk_programme_questionnaires_programme_id_programmes")),
        sa.PrimaryKeyConstraint("programme_id", name=op.f("pk_programme_questionnaires")),
    )
    op.create_table(
        "assessment_takes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("questionnaire", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("levels", sa.JSON(), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"], name=op.f("fk_assessment_takes_organisation_id_organisations")),
        sa.ForeignKeyConstraint(["participant_id"], ["participants.id"], name=op.f("fk_assessment_takes_participant_id_participants")),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_assessment_takes_person_id_people")),
        sa.ForeignKeyConstraint(["programme_id"], ["programmes.id"], name=op.f("fk_assessment_takes_programme_id_programmes")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_takes")),
    )
    with op.batch_alter_table("assessment_takes") as batch:
        batch.create_index("ix_assessment_takes_programme_participant", ["programme_id", "participant_id", "taken_at"], unique=False)
        batch.create_index(batch.f("ix_assessment_takes_organisation_id"), ["organisation_id"], unique=False)
        batch.create_index(batch.f("ix_assessment_takes_participant_id"), ["participant_id"], unique=False)
        batch.create_index(batch.f("ix_assessment_takes_person_id"), ["person_id"], unique=False)


def downgrade():
    with op.batch_alter_table("assessment_takes") as batch:
        batch.drop_index(batch.f("ix_assessment_takes_person_id"))
        batch.drop_index(batch.f("ix_assessment_takes_participant_id"))
        batch.drop_index(batch.f("ix_assessment_takes_organisation_id"))
        batch.drop_index("ix_assessment_takes_programme_participant")
    op.drop_table("assessment_takes")
    op.drop_table("programme_questionnaires")
