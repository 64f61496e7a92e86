"""foundation: operations, tactics, areas, activity records and their history, drug price
tables, intelligence logs

Revision ID: 20261121_0001_foundation
Revises:
Create Date: 2026-11-21
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import clearhold.storage.base

revision = "20261121_0001_foundation"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('drug_price_tables',
    sa.Column('version', sa.String(length=60), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('published_on', sa.Date(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('entries', sa.JSON(), nullable=False),
    sa.Column('loaded_at', clearhold.storage.base.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('version', name=op.f('pk_drug_price_tables'))
    )
    op.create_table('operations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('force', sa.String(length=100), nullable=True),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', clearhold.storage.base.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_operations')),
    sa.UniqueConstraint('slug', name=op.f('uq_operations_slug'))
    )
    op.create_table('areas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('operation_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('geometry', sa.JSON(), nullable=True),
    sa.Column('lsoa_codes', sa.JSON(), nullable=False),
    sa.Column('buffer_m', sa.Float(), nullable=True),
    sa.Column('area_m2', sa.Float(), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', clearhold.storage.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['operation_id'], ['operations.id'], name=op.f('fk_areas_operation_id_operations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['parent_id'], ['areas.id'], name=op.f('fk_areas_parent_id_areas'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_areas')),
    sa.UniqueConstraint('slug', name=op.f('uq_areas_slug'))
    )
    op.create_index(op.f('ix_areas_operation_id'), 'areas', ['operation_id'], unique=False)
    op.create_table('tactics',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('operation_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('is_new', sa.Boolean(), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['operation_id'], ['operations.id'], name=op.f('fk_tactics_operation_id_operations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tactics')),
    sa.UniqueConstraint('operation_id', 'name', name=op.f('uq_tactics_operation_id'))
    )
    op.create_index(op.f('ix_tactics_operation_id'), 'tactics', ['operation_id'], unique=False)
    op.create_table('intel_logs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=64), nullable=False),
    sa.Column('operation_id', sa.Integer(), nullable=True),
    sa.Column('area_id', sa.Integer(), nullable=True),
    sa.Column('intel_date', sa.Date(), nullable=False),
    sa.Column('recorded_at', clearhold.storage.base.UTCDateTime(), nullable=False),
    sa.Column('recording_officer', sa.String(length=100), nullable=False),
    sa.Column('source_ref', sa.String(length=64), nullable=False),
    sa.Column('security_marking', sa.String(length=30), nullable=False),
    sa.Column('grading_system', sa.String(length=10), nullable=False),
    sa.Column('handling_instructions', sa.Text(), nullable=True),
    sa.Column('subject', sa.String(length=60), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('easting', sa.Float(), nullable=True),
    sa.Column('northing', sa.Float(), nullable=True),
    sa.Column('sanitised', sa.Boolean(), nullable=False),
    sa.Column('sanitised_text', sa.Text(), nullable=True),
    sa.Column('sanitised_by', sa.String(length=100), nullable=True),
    sa.Column('sanitised_at', clearhold.storage.base.UTCDateTime(), nullable=True),
    sa.Column('originator_approval_by', sa.String(length=100), nullable=True),
    sa.Column('originator_approval_at', clearhold.storage.base.UTCDateTime(), nullable=True),
    sa.Column('entered_by', sa.String(length=100), nullable=False),
    sa.Column('entered_at', clearhold.storage.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_intel_logs_area_id_areas'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['operation_id'], ['operations.id'], name=op.f('fk_intel_logs_operation_id_operations'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_intel_logs')),
    sa.UniqueConstraint('ref', name=op.f('uq_intel_logs_ref'))
    )
    op.create_index(op.f('ix_intel_logs_area_id'), 'intel_logs', ['area_id'], unique=False)
    op.create_index(op.f('ix_intel_logs_operation_id'), 'intel_logs', ['operation_id'], unique=False)
    op.create_index(op.f('ix_intel_logs_recorded_at'), 'intel_logs', ['recorded_at'], unique=False)
    op.create_table('records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('operation_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('ref', sa.String(length=64), nullable=True),
    sa.Column('occurred_at', clearhold.storage.base.UTCDateTime(), nullable=False),
    sa.Column('ended_at', clearhold.storage.base.UTCDateTime(), nullable=True),
    sa.Column('area_id', sa.Integer(), nullable=True),
    sa.Column('tactic_id', sa.Integer(), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('easting', sa.Float(), nullable=True),
    sa.Column('northing', sa.Float(), nullable=True),
    sa.Column('location_text', sa.String(length=300), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('source_record_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('entered_by', sa.String(length=100), nullable=False),
    sa.Column('entered_at', clearhold.storage.base.UTCDateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=100), nullable=True),
    sa.Column('updated_at', clearhold.storage.base.UTCDateTime(), nullable=True),
    sa.Column('deleted_at', clearhold.storage.base.UTCDateTime(), nullable=True),
    sa.Column('deleted_by', sa.String(length=100), nullable=True),
    sa.Column('deletion_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_records_area_id_areas'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['operation_id'], ['operations.id'], name=op.f('fk_records_operation_id_operations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_record_id'], ['records.id'], name=op.f('fk_records_source_record_id_records'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tactic_id'], ['tactics.id'], name=op.f('fk_records_tactic_id_tactics'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_records')),
    sa.UniqueConstraint('operation_id', 'ref', name=op.f('uq_records_operation_id'))
    )
    op.create_index(op.f('ix_records_area_id'), 'records', ['area_id'], unique=False)
    op.create_index(op.f('ix_records_kind'), 'records', ['kind'], unique=False)
    op.create_index(op.f('ix_records_occurred_at'), 'records', ['occurred_at'], unique=False)
    op.create_index(op.f('ix_records_operation_id'), 'records', ['operation_id'], unique=False)
    op.create_index(op.f('ix_records_source_record_id'), 'records', ['source_record_id'], unique=False)
    op.create_index(op.f('ix_records_tactic_id'), 'records', ['tactic_id'], unique=False)
    op.create_table('arrests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_ref', sa.String(length=40), nullable=False),
    sa.Column('age_band', sa.String(length=10), nullable=False),
    sa.Column('outcome', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['id'], ['records.id'], name=op.f('fk_arrests_id_records'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_arrests'))
    )
    op.create_index(op.f('ix_arrests_person_ref'), 'arrests', ['person_ref'], unique=False)
    op.create_table('court_outcomes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_ref', sa.String(length=64), nullable=False),
    sa.Column('person_ref', sa.String(length=40), nullable=True),
    sa.Column('sentence_type', sa.String(length=30), nullable=False),
    sa.Column('custodial_months', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['id'], ['records.id'], name=op.f('fk_court_outcomes_id_records'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_court_outcomes'))
    )
    op.create_table('engagements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('engagement_type', sa.String(length=30), nullable=False),
    sa.Column('participants', sa.Integer(), nullable=True),
    sa.Column('survey', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['id'], ['records.id'], name=op.f('fk_engagements_id_records'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_engagements'))
    )
    op.create_table('intel_disseminations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('log_id', sa.Integer(), nullable=False),
    sa.Column('recipient', sa.String(length=200), nullable=False),
    sa.Column('recipient_is_police', sa.Boolean(), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('authorised_by', sa.String(length=100), nullable=False),
    sa.Column('sanitised_copy', sa.Boolean(), nullable=False),
    sa.Column('disseminated_at', clearhold.storage.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['log_id'], ['intel_logs.id'], name=op.f('fk_intel_disseminations_log_id_intel_logs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_intel_disseminations'))
    )
    op.create_index(op.f('ix_intel_disseminations_log_id'), 'intel_disseminations', ['log_id'], unique=False)
    op.create_table('intel_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('log_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('grade', sa.String(length=5), nullable=False),
    sa.ForeignKeyConstraint(['log_id'], ['intel_logs.id'], name=op.f('fk_intel_items_log_id_intel_logs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_intel_items'))
    )
    op.create_index(op.f('ix_intel_items_log_id'), 'intel_items', ['log_id'], unique=False)
    op.create_table('patrols',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patrol_type', sa.String(length=30), nullable=False),
    sa.Column('hotspot_ref', sa.String(length=64), nullable=True),
    sa.Column('planned', sa.Boolean(), nullable=False),
    sa.Column('officers', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['id'], ['records.id'], name=op.f('fk_patrols_id_records'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patrols'))
    )
    op.create_table('record_history',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('state', sa.JSON(), nullable=False),
    sa.Column('changed_fields', sa.JSON(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('changed_by', sa.String(length=100), nullable=False),
    sa.Column('changed_at', clearhold.storage.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['records.id'], name=op.f('fk_record_history_record_id_records'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_record_history')),
    sa.UniqueConstraint('record_id', 'version', name=op.f('uq_record_history_record_id'))
    )
    op.create_index(op.f('ix_record_history_record_id'), 'record_history', ['record_id'], unique=False)
    op.create_table('referrals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_ref', sa.String(length=40), nullable=False),
    sa.Column('age_band', sa.String(length=10), nullable=False),
    sa.Column('partner_type', sa.String(length=30), nullable=False),
    sa.Column('partner_name', sa.String(length=200), nullable=True),
    sa.Column('reason', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('referral_outcome', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['id'], ['records.id'], name=op.f('fk_referrals_id_records'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referrals'))
    )
    op.create_index(op.f('ix_referrals_person_ref'), 'referrals', ['person_ref'], unique=False)
    op.create_table('seized_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('item_kind', sa.String(length=20), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=True),
    sa.Column('drug_class', sa.String(length=1), nullable=True),
    sa.Column('drug_type', sa.String(length=40), nullable=True),
    sa.Column('quantity', sa.Numeric(precision=18, scale=3), nullable=True),
    sa.Column('unit', sa.String(length=20), nullable=True),
    sa.Column('value_pence', sa.BigInteger(), nullable=True),
    sa.Column('value_basis', sa.String(length=20), nullable=True),
    sa.Column('price_table_version', sa.String(length=60), nullable=True),
    sa.Column('weapon_type', sa.String(length=30), nullable=True),
    sa.Column('disposition', sa.String(length=20), nullable=True),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('cash_pence', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['record_id'], ['records.id'], name=op.f('fk_seized_items_record_id_records'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_seized_items'))
    )
    op.create_index(op.f('ix_seized_items_record_id'), 'seized_items', ['record_id'], unique=False)
    op.create_table('seizures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seizure_context', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['id'], ['records.id'], name=op.f('fk_seizures_id_records'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_seizures'))
    )
    op.create_table('test_purchases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('premises', sa.String(length=200), nullable=False),
    sa.Column('result', sa.String(length=30), nullable=False),
    sa.Column('follow_up', sa.String(length=30), nullable=True),
    sa.ForeignKeyConstraint(['id'], ['records.id'], name=op.f('fk_test_purchases_id_records'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_test_purchases'))
    )
    op.create_table('vehicle_stops',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('vrm', sa.String(length=16), nullable=False),
    sa.Column('stop_reason', sa.String(length=20), nullable=False),
    sa.Column('result', sa.String(length=20), nullable=False),
    sa.Column('anpr_hit_ref', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['id'], ['records.id'], name=op.f('fk_vehicle_stops_id_records'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vehicle_stops'))
    )
    op.create_index(op.f('ix_vehicle_stops_vrm'), 'vehicle_stops', ['vrm'], unique=False)
    op.create_table('warrants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('warrant_type', sa.String(length=30), nullable=False),
    sa.Column('result', sa.String(length=30), nullable=False),
    sa.ForeignKeyConstraint(['id'], ['records.id'], name=op.f('fk_warrants_id_records'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_warrants'))
    )
    op.create_table('weapons_sweeps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('area_searched', sa.String(length=300), nullable=True),
    sa.Column('area_searched_m2', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['id'], ['records.id'], name=op.f('fk_weapons_sweeps_id_records'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_weapons_sweeps'))
    )
    op.create_table('arrest_offences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('arrest_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('offence_group', sa.String(length=60), nullable=False),
    sa.Column('offence_text', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['arrest_id'], ['arrests.id'], name=op.f('fk_arrest_offences_arrest_id_arrests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_arrest_offences'))
    )
    op.create_index(op.f('ix_arrest_offences_arrest_id'), 'arrest_offences', ['arrest_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_arrest_offences_arrest_id'), table_name='arrest_offences')
    op.drop_table('arrest_offences')
    op.drop_table('weapons_sweeps')
    op.drop_table('warrants')
    op.drop_index(op.f('ix_vehicle_stops_vrm'), table_name='vehicle_stops')
    op.drop_table('vehicle_stops')
    op.drop_table('test_purchases')
    op.drop_table('seizures')
    op.drop_index(op.f('ix_seized_items_record_id'), table_name='seized_items')
    op.drop_table('seized_items')
    op.drop_index(op.f('ix_referrals_person_ref'), table_name='referrals')
    op.drop_table('referrals')
    op.drop_index(op.f('ix_record_history_record_id'), table_name='record_history')
    op.drop_table('record_history')
    op.drop_table('patrols')
    op.drop_index(op.f('ix_intel_items_log_id'), table_name='intel_items')
    op.drop_table('intel_items')
    op.drop_index(op.f('ix_intel_disseminations_log_id'), table_name='intel_disseminations')
    op.drop_table('intel_disseminations')
    op.drop_table('engagements')
    op.drop_table('court_outcomes')
    op.drop_index(op.f('ix_arrests_person_ref'), table_name='arrests')
    op.drop_table('arrests')
    op.drop_index(op.f('ix_records_tactic_id'), table_name='records')
    op.drop_index(op.f('ix_records_source_record_id'), table_name='records')
    op.drop_index(op.f('ix_records_operation_id'), table_name='records')
    op.drop_index(op.f('ix_records_occurred_at'), table_name='records')
    op.drop_index(op.f('ix_records_kind'), table_name='records')
    op.drop_index(op.f('ix_records_area_id'), table_name='records')
    op.drop_table('records')
    op.drop_index(op.f('ix_intel_logs_recorded_at'), table_name='intel_logs')
    op.drop_index(op.f('ix_intel_logs_operation_id'), table_name='intel_logs')
    op.drop_index(op.f('ix_intel_logs_area_id'), table_name='intel_logs')
    op.drop_table('intel_logs')
    op.drop_index(op.f('ix_tactics_operation_id'), table_name='tactics')
    op.drop_table('tactics')
    op.drop_index(op.f('ix_areas_operation_id'), table_name='areas')
    op.drop_table('areas')
    op.drop_table('operations')
    op.drop_table('drug_price_tables')
