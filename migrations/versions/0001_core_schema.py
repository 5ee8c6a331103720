"""The core schema: units, metrics, observations, events, facilities, connectors.

Revision ID: 0001_core
Revises: 
Create Date: 2026-11-29 01:56:39.743619
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0001_core'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('admin_units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('identity', sa.String(length=40), nullable=False),
    sa.Column('code', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('unit_type', sa.String(length=40), nullable=True),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('area_km2', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['parent_id'], ['admin_units.id'], name=op.f('fk_admin_units_parent_id_admin_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_admin_units')),
    sa.UniqueConstraint('identity', name=op.f('uq_admin_units_identity'))
    )
    with op.batch_alter_table('admin_units', schema=None) as batch_op:
        batch_op.create_index('ix_admin_units_code_valid', ['code', 'valid_from'], unique=False)
        batch_op.create_index(batch_op.f('ix_admin_units_level'), ['level'], unique=False)
        batch_op.create_index(batch_op.f('ix_admin_units_parent_id'), ['parent_id'], unique=False)

    op.create_table('connectors',
    sa.Column('id', sa.String(length=100), nullable=False),
    sa.Column('plugin', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=100), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('enabled_override', sa.Boolean(), nullable=True),
    sa.Column('schedule', sa.String(length=100), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_connectors'))
    )
    op.create_table('event_kinds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('sector', sa.String(length=50), nullable=False),
    sa.Column('origin', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_kinds')),
    sa.UniqueConstraint('code', name=op.f('uq_event_kinds_code'))
    )
    op.create_table('indicators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('numerator', sa.Text(), nullable=False),
    sa.Column('denominator', sa.Text(), nullable=True),
    sa.Column('factor', sa.Float(), nullable=False),
    sa.Column('sector', sa.String(length=50), nullable=True),
    sa.Column('unit', sa.String(length=50), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('origin', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicators')),
    sa.UniqueConstraint('code', name=op.f('uq_indicators_code'))
    )
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicators_sector'), ['sector'], unique=False)

    op.create_table('metrics',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('unit', sa.String(length=50), nullable=True),
    sa.Column('sector', sa.String(length=50), nullable=False),
    sa.Column('aggregation', sa.String(length=20), nullable=False),
    sa.Column('disaggregations', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('carry_forward_months', sa.Integer(), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('origin', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_metrics')),
    sa.UniqueConstraint('code', name=op.f('uq_metrics_code'))
    )
    with op.batch_alter_table('metrics', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_metrics_sector'), ['sector'], unique=False)

    op.create_table('admin_unit_successions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('predecessor_id', sa.Integer(), nullable=False),
    sa.Column('successor_id', sa.Integer(), nullable=False),
    sa.Column('effective', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('weight', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['predecessor_id'], ['admin_units.id'], name=op.f('fk_admin_unit_successions_predecessor_id_admin_units')),
    sa.ForeignKeyConstraint(['successor_id'], ['admin_units.id'], name=op.f('fk_admin_unit_successions_successor_id_admin_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_admin_unit_successions'))
    )
    with op.batch_alter_table('admin_unit_successions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_admin_unit_successions_predecessor_id'), ['predecessor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_admin_unit_successions_successor_id'), ['successor_id'], unique=False)
        batch_op.create_index('uq_succession_pair', ['predecessor_id', 'successor_id'], unique=True)

    op.create_table('sync_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('connector_id', sa.String(length=100), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('full', sa.Boolean(), nullable=False),
    sa.Column('trigger', sa.String(length=20), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('records_read', sa.Integer(), nullable=False),
    sa.Column('records_written', sa.Integer(), nullable=False),
    sa.Column('records_quarantined', sa.Integer(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['connector_id'], ['connectors.id'], name=op.f('fk_sync_runs_connector_id_connectors')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_runs'))
    )
    with op.batch_alter_table('sync_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sync_runs_connector_id'), ['connector_id'], unique=False)

    op.create_table('connector_states',
    sa.Column('connector_id', sa.String(length=100), nullable=False),
    sa.Column('state', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('sync_run_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['connector_id'], ['connectors.id'], name=op.f('fk_connector_states_connector_id_connectors')),
    sa.ForeignKeyConstraint(['sync_run_id'], ['sync_runs.id'], name=op.f('fk_connector_states_sync_run_id_sync_runs')),
    sa.PrimaryKeyConstraint('connector_id', name=op.f('pk_connector_states'))
    )
    op.create_table('events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sector', sa.String(length=50), nullable=False),
    sa.Column('kind', sa.String(length=100), nullable=False),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=50), nullable=True),
    sa.Column('severity', sa.Integer(), nullable=True),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('attributes', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('source', sa.String(length=100), nullable=False),
    sa.Column('source_id', sa.String(length=300), nullable=False),
    sa.Column('sync_run_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['sync_run_id'], ['sync_runs.id'], name=op.f('fk_events_sync_run_id_sync_runs')),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_units.id'], name=op.f('fk_events_unit_id_admin_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_events'))
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index('ix_event_kind_time', ['kind', 'occurred_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_occurred_at'), ['occurred_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_sector'), ['sector'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index('uq_event_source', ['source', 'source_id'], unique=True)

    op.create_table('facilities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('kind', sa.String(length=100), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('attributes', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('source', sa.String(length=100), nullable=False),
    sa.Column('source_id', sa.String(length=300), nullable=False),
    sa.Column('sync_run_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['sync_run_id'], ['sync_runs.id'], name=op.f('fk_facilities_sync_run_id_sync_runs')),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_units.id'], name=op.f('fk_facilities_unit_id_admin_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_facilities'))
    )
    with op.batch_alter_table('facilities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_facilities_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index('uq_facility_source', ['source', 'source_id'], unique=True)

    op.create_table('observations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('metric_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('calendar', sa.String(length=10), nullable=False),
    sa.Column('period_type', sa.String(length=10), nullable=False),
    sa.Column('period', sa.String(length=12), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('dims_key', sa.String(length=300), nullable=False),
    sa.Column('dims', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('source', sa.String(length=100), nullable=False),
    sa.Column('source_record_id', sa.String(length=300), nullable=True),
    sa.Column('sync_run_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['metric_id'], ['metrics.id'], name=op.f('fk_observations_metric_id_metrics')),
    sa.ForeignKeyConstraint(['sync_run_id'], ['sync_runs.id'], name=op.f('fk_observations_sync_run_id_sync_runs')),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_units.id'], name=op.f('fk_observations_unit_id_admin_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_observations'))
    )
    with op.batch_alter_table('observations', schema=None) as batch_op:
        batch_op.create_index('ix_observation_metric_period', ['metric_id', 'period_start'], unique=False)
        batch_op.create_index(batch_op.f('ix_observations_sync_run_id'), ['sync_run_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_observations_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index('uq_observation_natural_key', ['metric_id', 'unit_id', 'calendar', 'period', 'dims_key', 'source'], unique=True)

    op.create_table('quarantine',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('connector_id', sa.String(length=100), nullable=False),
    sa.Column('sync_run_id', sa.Integer(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('place', sa.Text(), nullable=True),
    sa.Column('payload', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['connector_id'], ['connectors.id'], name=op.f('fk_quarantine_connector_id_connectors')),
    sa.ForeignKeyConstraint(['sync_run_id'], ['sync_runs.id'], name=op.f('fk_quarantine_sync_run_id_sync_runs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quarantine'))
    )
    with op.batch_alter_table('quarantine', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quarantine_connector_id'), ['connector_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_quarantine_sync_run_id'), ['sync_run_id'], unique=False)

    op.create_table('alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rule', sa.String(length=100), nullable=False),
    sa.Column('cause', sa.String(length=200), nullable=False),
    sa.Column('severity', sa.Integer(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('period', sa.String(length=12), nullable=True),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('raised_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_by', sa.String(length=200), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_alerts_event_id_events')),
    sa.ForeignKeyConstraint(['unit_id'], ['admin_units.id'], name=op.f('fk_alerts_unit_id_admin_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alerts'))
    )
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.create_index('uq_alert_cause', ['rule', 'cause'], unique=True)
        batch_op.create_index(batch_op.f('ix_alerts_raised_at'), ['raised_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_alerts_unit_id'), ['unit_id'], unique=False)


def downgrade() -> None:
    op.drop_table('alerts')

    with op.batch_alter_table('quarantine', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quarantine_sync_run_id'))
        batch_op.drop_index(batch_op.f('ix_quarantine_connector_id'))

    op.drop_table('quarantine')
    with op.batch_alter_table('observations', schema=None) as batch_op:
        batch_op.drop_index('uq_observation_natural_key')
        batch_op.drop_index(batch_op.f('ix_observations_unit_id'))
        batch_op.drop_index(batch_op.f('ix_observations_sync_run_id'))
        batch_op.drop_index('ix_observation_metric_period')

    op.drop_table('observations')
    with op.batch_alter_table('facilities', schema=None) as batch_op:
        batch_op.drop_index('uq_facility_source')
        batch_op.drop_index(batch_op.f('ix_facilities_unit_id'))

    op.drop_table('facilities')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('uq_event_source')
        batch_op.drop_index(batch_op.f('ix_events_unit_id'))
        batch_op.drop_index(batch_op.f('ix_events_sector'))
        batch_op.drop_index(batch_op.f('ix_events_occurred_at'))
        batch_op.drop_index('ix_event_kind_time')

    op.drop_table('events')
    op.drop_table('connector_states')
    with op.batch_alter_table('sync_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sync_runs_connector_id'))

    op.drop_table('sync_runs')
    with op.batch_alter_table('admin_unit_successions', schema=None) as batch_op:
        batch_op.drop_index('uq_succession_pair')
        batch_op.drop_index(batch_op.f('ix_admin_unit_successions_successor_id'))
        batch_op.drop_index(batch_op.f('ix_admin_unit_successions_predecessor_id'))

    op.drop_table('admin_unit_successions')
    with op.batch_alter_table('metrics', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_metrics_sector'))

    op.drop_table('metrics')
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicators_sector'))

    op.drop_table('indicators')
    op.drop_table('event_kinds')
    op.drop_table('connectors')
    with op.batch_alter_table('admin_units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_admin_units_parent_id'))
        batch_op.drop_index(batch_op.f('ix_admin_units_level'))
        batch_op.drop_index('ix_admin_units_code_valid')

    op.drop_table('admin_units')

