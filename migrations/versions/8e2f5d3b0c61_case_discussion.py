"""case_discussion: cases, threads, posts, reactions, nudges, summaries

Revision ID: 8e2f5d3b0c61
Revises: 7d1e4c2a9b50
Create Date: 2026-11-25 16:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8e2f5d3b0c61'
down_revision = '7d1e4c2a9b50'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('case_discussion_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('file_key', sa.String(length=64), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('file_size', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('public_id', sa.String(length=24), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activities_activity.id'], name=op.f('fk_case_discussion_attachment_activity_id_activities_activity'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_discussion_attachment')),
    sa.UniqueConstraint('public_id', name=op.f('uq_case_discussion_attachment_public_id'))
    )
    with op.batch_alter_table('case_discussion_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_discussion_attachment_activity_id'), ['activity_id'], unique=False)

    op.create_table('case_discussion_case',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('links', sa.JSON(), nullable=False),
    sa.Column('edited_by_id', sa.Integer(), nullable=True),
    sa.Column('public_id', sa.String(length=24), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activities_activity.id'], name=op.f('fk_case_discussion_case_activity_id_activities_activity'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['edited_by_id'], ['courses_person.id'], name=op.f('fk_case_discussion_case_edited_by_id_courses_person'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_discussion_case')),
    sa.UniqueConstraint('activity_id', name=op.f('uq_case_discussion_case_activity_id')),
    sa.UniqueConstraint('public_id', name=op.f('uq_case_discussion_case_public_id'))
    )
    op.create_table('case_discussion_completion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('completed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activities_activity.id'], name=op.f('fk_case_discussion_completion_activity_id_activities_activity'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['courses_person.id'], name=op.f('fk_case_discussion_completion_person_id_courses_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_discussion_completion')),
    sa.UniqueConstraint('activity_id', 'person_id', name=op.f('uq_case_discussion_completion_activity_id'))
    )
    with op.batch_alter_table('case_discussion_completion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_discussion_completion_person_id'), ['person_id'], unique=False)

    op.create_table('case_discussion_facilitator',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activities_activity.id'], name=op.f('fk_case_discussion_facilitator_activity_id_activities_activity'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['group_id'], ['grouping_group.id'], name=op.f('fk_case_discussion_facilitator_group_id_grouping_group'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['courses_person.id'], name=op.f('fk_case_discussion_facilitator_person_id_courses_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_discussion_facilitator')),
    sa.UniqueConstraint('group_id', 'person_id', name=op.f('uq_case_discussion_facilitator_group_id'))
    )
    with op.batch_alter_table('case_discussion_facilitator', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_discussion_facilitator_activity_id'), ['activity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_discussion_facilitator_person_id'), ['person_id'], unique=False)

    op.create_table('case_discussion_nudge',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('sender_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('seen_at', sa.DateTime(), nullable=True),
    sa.Column('public_id', sa.String(length=24), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activities_activity.id'], name=op.f('fk_case_discussion_nudge_activity_id_activities_activity'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['group_id'], ['grouping_group.id'], name=op.f('fk_case_discussion_nudge_group_id_grouping_group'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['courses_person.id'], name=op.f('fk_case_discussion_nudge_person_id_courses_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sender_id'], ['courses_person.id'], name=op.f('fk_case_discussion_nudge_sender_id_courses_person'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_discussion_nudge')),
    sa.UniqueConstraint('public_id', name=op.f('uq_case_discussion_nudge_public_id'))
    )
    with op.batch_alter_table('case_discussion_nudge', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_discussion_nudge_activity_id'), ['activity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_discussion_nudge_person_id'), ['person_id'], unique=False)

    op.create_table('case_discussion_round',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('presenter_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('plan', sa.Text(), nullable=False),
    sa.Column('plan_recorded_at', sa.DateTime(), nullable=True),
    sa.Column('public_id', sa.String(length=24), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("stage IN ('challenge', 'questions', 'brainstorm', 'plan', 'done')", name=op.f('ck_case_discussion_round_stage')),
    sa.ForeignKeyConstraint(['activity_id'], ['activities_activity.id'], name=op.f('fk_case_discussion_round_activity_id_activities_activity'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['group_id'], ['grouping_group.id'], name=op.f('fk_case_discussion_round_group_id_grouping_group'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['presenter_id'], ['courses_person.id'], name=op.f('fk_case_discussion_round_presenter_id_courses_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_discussion_round')),
    sa.UniqueConstraint('group_id', 'number', name=op.f('uq_case_discussion_round_group_id')),
    sa.UniqueConstraint('public_id', name=op.f('uq_case_discussion_round_public_id'))
    )
    with op.batch_alter_table('case_discussion_round', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_discussion_round_activity_id'), ['activity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_discussion_round_presenter_id'), ['presenter_id'], unique=False)

    op.create_table('case_discussion_summary',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('public_id', sa.String(length=24), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("status IN ('draft', 'published')", name=op.f('ck_case_discussion_summary_status')),
    sa.ForeignKeyConstraint(['activity_id'], ['activities_activity.id'], name=op.f('fk_case_discussion_summary_activity_id_activities_activity'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['group_id'], ['grouping_group.id'], name=op.f('fk_case_discussion_summary_group_id_grouping_group'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['published_by_id'], ['courses_person.id'], name=op.f('fk_case_discussion_summary_published_by_id_courses_person'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_discussion_summary')),
    sa.UniqueConstraint('group_id', name=op.f('uq_case_discussion_summary_group_id')),
    sa.UniqueConstraint('public_id', name=op.f('uq_case_discussion_summary_public_id'))
    )
    with op.batch_alter_table('case_discussion_summary', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_discussion_summary_activity_id'), ['activity_id'], unique=False)

    op.create_table('case_discussion_summary_read',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('summary_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('read_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['courses_person.id'], name=op.f('fk_case_discussion_summary_read_person_id_courses_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['summary_id'], ['case_discussion_summary.id'], name=op.f('fk_case_discussion_summary_read_summary_id_case_discussion_summary'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_discussion_summary_read')),
    sa.UniqueConstraint('summary_id', 'person_id', name=op.f('uq_case_discussion_summary_read_summary_id'))
    )
    with op.batch_alter_table('case_discussion_summary_read', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_discussion_summary_read_person_id'), ['person_id'], unique=False)

    op.create_table('case_discussion_thread',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('locked', sa.Boolean(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('post_count', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_post_at', sa.DateTime(), nullable=False),
    sa.Column('public_id', sa.String(length=24), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activities_activity.id'], name=op.f('fk_case_discussion_thread_activity_id_activities_activity'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['courses_person.id'], name=op.f('fk_case_discussion_thread_author_id_courses_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['group_id'], ['grouping_group.id'], name=op.f('fk_case_discussion_thread_group_id_grouping_group'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['case_discussion_round.id'], name=op.f('fk_case_discussion_thread_round_id_case_discussion_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_discussion_thread')),
    sa.UniqueConstraint('public_id', name=op.f('uq_case_discussion_thread_public_id')),
    sa.UniqueConstraint('round_id', name=op.f('uq_case_discussion_thread_round_id'))
    )
    with op.batch_alter_table('case_discussion_thread', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_discussion_thread_activity_id'), ['activity_id'], unique=False)
        batch_op.create_index('ix_case_discussion_thread_group_last', ['group_id', 'last_post_at'], unique=False)

    op.create_table('case_discussion_post',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=True),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('helped_count', sa.Integer(), nullable=False),
    sa.Column('hidden', sa.Boolean(), nullable=False),
    sa.Column('hidden_by_id', sa.Integer(), nullable=True),
    sa.Column('edited_at', sa.DateTime(), nullable=True),
    sa.Column('public_id', sa.String(length=24), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activities_activity.id'], name=op.f('fk_case_discussion_post_activity_id_activities_activity'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['courses_person.id'], name=op.f('fk_case_discussion_post_author_id_courses_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['group_id'], ['grouping_group.id'], name=op.f('fk_case_discussion_post_group_id_grouping_group'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['hidden_by_id'], ['courses_person.id'], name=op.f('fk_case_discussion_post_hidden_by_id_courses_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['thread_id'], ['case_discussion_thread.id'], name=op.f('fk_case_discussion_post_thread_id_case_discussion_thread'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_discussion_post')),
    sa.UniqueConstraint('public_id', name=op.f('uq_case_discussion_post_public_id'))
    )
    with op.batch_alter_table('case_discussion_post', schema=None) as batch_op:
        batch_op.create_index('ix_case_discussion_post_activity_author', ['activity_id', 'author_id'], unique=False)
        batch_op.create_index('ix_case_discussion_post_group_author', ['group_id', 'author_id'], unique=False)
        batch_op.create_index('ix_case_discussion_post_thread_id', ['thread_id', 'id'], unique=False)
        batch_op.create_index('ix_case_discussion_post_thread_revision', ['thread_id', 'revision'], unique=False)

    op.create_table('case_discussion_mention',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('seen_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['courses_person.id'], name=op.f('fk_case_discussion_mention_person_id_courses_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['post_id'], ['case_discussion_post.id'], name=op.f('fk_case_discussion_mention_post_id_case_discussion_post'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_discussion_mention')),
    sa.UniqueConstraint('post_id', 'person_id', name=op.f('uq_case_discussion_mention_post_id'))
    )
    with op.batch_alter_table('case_discussion_mention', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_discussion_mention_person_id'), ['person_id'], unique=False)

    op.create_table('case_discussion_reaction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['courses_person.id'], name=op.f('fk_case_discussion_reaction_person_id_courses_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['post_id'], ['case_discussion_post.id'], name=op.f('fk_case_discussion_reaction_post_id_case_discussion_post'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_discussion_reaction')),
    sa.UniqueConstraint('post_id', 'person_id', name=op.f('uq_case_discussion_reaction_post_id'))
    )
    with op.batch_alter_table('case_discussion_reaction', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_discussion_reaction_person_id'), ['person_id'], unique=False)

    op.create_table('case_discussion_summary_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('summary_id', sa.Integer(), nullable=False),
    sa.Column('section', sa.String(length=16), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('source_post_id', sa.Integer(), nullable=True),
    sa.Column('public_id', sa.String(length=24), nullable=False),
    sa.CheckConstraint("section IN ('context', 'ideas', 'strategies', 'resources')", name=op.f('ck_case_discussion_summary_item_section')),
    sa.ForeignKeyConstraint(['source_post_id'], ['case_discussion_post.id'], name=op.f('fk_case_discussion_summary_item_source_post_id_case_discussion_post'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['summary_id'], ['case_discussion_summary.id'], name=op.f('fk_case_discussion_summary_item_summary_id_case_discussion_summary'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_discussion_summary_item')),
    sa.UniqueConstraint('public_id', name=op.f('uq_case_discussion_summary_item_public_id'))
    )
    with op.batch_alter_table('case_discussion_summary_item', schema=None) as batch_op:
        batch_op.create_index('ix_case_discussion_summary_item_summary', ['summary_id', 'section', 'position'], unique=False)


def downgrade():
    with op.batch_alter_table('case_discussion_summary_item', schema=None) as batch_op:
        batch_op.drop_index('ix_case_discussion_summary_item_summary')

    op.drop_table('case_discussion_summary_item')
    with op.batch_alter_table('case_discussion_reaction', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_discussion_reaction_person_id'))

    op.drop_table('case_discussion_reaction')
    with op.batch_alter_table('case_discussion_mention', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_discussion_mention_person_id'))

    op.drop_table('case_discussion_mention')
    with op.batch_alter_table('case_discussion_post', schema=None) as batch_op:
        batch_op.drop_index('ix_case_discussion_post_thread_revision')
        batch_op.drop_index('ix_case_discussion_post_thread_id')
        batch_op.drop_index('ix_case_discussion_post_group_author')
        batch_op.drop_index('ix_case_discussion_post_activity_author')

    op.drop_table('case_discussion_post')
    with op.batch_alter_table('case_discussion_thread', schema=None) as batch_op:
        batch_op.drop_index('ix_case_discussion_thread_group_last')
        batch_op.drop_index(batch_op.f('ix_case_discussion_thread_activity_id'))

    op.drop_table('case_discussion_thread')
    with op.batch_alter_table('case_discussion_summary_read', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_discussion_summary_read_person_id'))

    op.drop_table('case_discussion_summary_read')
    with op.batch_alter_table('case_discussion_summary', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_discussion_summary_activity_id'))

    op.drop_table('case_discussion_summary')
    with op.batch_alter_table('case_discussion_round', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_discussion_round_presenter_id'))
        batch_op.drop_index(batch_op.f('ix_case_discussion_round_activity_id'))

    op.drop_table('case_discussion_round')
    with op.batch_alter_table('case_discussion_nudge', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_discussion_nudge_person_id'))
        batch_op.drop_index(batch_op.f('ix_case_discussion_nudge_activity_id'))

    op.drop_table('case_discussion_nudge')
    with op.batch_alter_table('case_discussion_facilitator', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_discussion_facilitator_person_id'))
        batch_op.drop_index(batch_op.f('ix_case_discussion_facilitator_activity_id'))

    op.drop_table('case_discussion_facilitator')
    with op.batch_alter_table('case_discussion_completion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_discussion_completion_person_id'))

    op.drop_table('case_discussion_completion')
    op.drop_table('case_discussion_case')
    with op.batch_alter_table('case_discussion_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_discussion_attachment_activity_id'))

    op.drop_table('case_discussion_attachment')
