-- Every table and column named by the contract (DESIGN.md section 3) exists with its type.
BEGIN;

CREATE TEMP TABLE contract (tbl text, col text, typ text) ON COMMIT DROP;
INSERT INTO contract VALUES
 ('dim_regions','surrogate_key','bigint'),('dim_regions','region_id','bigint'),('dim_regions','custom_id','text'),
 ('dim_regions','name','text'),('dim_regions','parent_region_id','bigint'),('dim_regions','parent_region_name','text'),
 ('dim_regions','status','text'),('dim_regions','time_zone','text'),
 ('dim_clients','surrogate_key','bigint'),('dim_clients','client_id','bigint'),('dim_clients','custom_id','text'),
 ('dim_clients','name','text'),('dim_clients','client_type','text'),('dim_clients','status','text'),
 ('dim_clients','region_id','bigint'),('dim_clients','region_name','text'),('dim_clients','parent_client_id','bigint'),
 ('dim_clients','time_zone','text'),('dim_clients','address','jsonb'),
 ('dim_positions','surrogate_key','bigint'),('dim_positions','position_id','bigint'),('dim_positions','custom_id','text'),
 ('dim_positions','name','text'),('dim_positions','status','text'),('dim_positions','client_id','bigint'),
 ('dim_positions','client_name','text'),('dim_positions','non_billable','boolean'),
 ('dim_employees','surrogate_key','bigint'),('dim_employees','employee_id','bigint'),('dim_employees','custom_id','text'),
 ('dim_employees','first_name','text'),('dim_employees','last_name','text'),('dim_employees','email','text'),
 ('dim_employees','phone','text'),('dim_employees','status','text'),('dim_employees','region_id','bigint'),
 ('dim_employees','region_name','text'),('dim_employees','job_title','text'),
 ('fact_shifts','shift_id','bigint'),('fact_shifts','billing_period_id','text'),('fact_shifts','employee_id','bigint'),
 ('fact_shifts','position_id','bigint'),('fact_shifts','client_id','bigint'),('fact_shifts','region_id','bigint'),
 ('fact_shifts','employee_key','bigint'),('fact_shifts','position_key','bigint'),('fact_shifts','client_key','bigint'),
 ('fact_shifts','shift_date','date'),('fact_shifts','start_datetime','timestamp with time zone'),
 ('fact_shifts','end_datetime','timestamp with time zone'),('fact_shifts','time_zone','text'),('fact_shifts','status','text'),
 ('fact_shifts','scheduled_hours','numeric(10,2)'),('fact_shifts','clocked_hours','numeric(10,2)'),
 ('fact_shifts','approved_hours','numeric(10,2)'),('fact_shifts','billable_hours','numeric(10,2)'),
 ('fact_shifts','payable_hours','numeric(10,2)'),('fact_shifts','bill_rate_regular','numeric(10,2)'),
 ('fact_shifts','bill_rate_effective','numeric(10,2)'),('fact_shifts','bill_overtime_hours','numeric(10,2)'),
 ('fact_shifts','bill_overtime_impact','numeric(10,2)'),('fact_shifts','bill_holiday_hours','numeric(10,2)'),
 ('fact_shifts','bill_holiday_impact','numeric(10,2)'),('fact_shifts','bill_total','numeric(10,2)'),
 ('fact_shifts','raw_data','jsonb'),('fact_shifts','etl_batch_id','uuid'),
 ('fact_shifts','created_at','timestamp with time zone'),('fact_shifts','updated_at','timestamp with time zone'),
 ('billing_periods','period_id','text'),('billing_periods','start_date','date'),('billing_periods','end_date','date'),
 ('billing_periods','fiscal_year','integer'),('billing_periods','period_number','integer'),
 ('etl_batches','batch_id','uuid'),('etl_batches','batch_type','text'),('etl_batches','status','text'),
 ('etl_batches','started_at','timestamp with time zone'),('etl_batches','completed_at','timestamp with time zone'),
 ('etl_batches','records_processed','integer'),('etl_batches','records_failed','integer'),
 ('etl_batches','error_message','text'),('etl_batches','metadata','jsonb'),
 ('etl_sync_status','table_name','text'),('etl_sync_status','last_sync_timestamp','timestamp with time zone'),
 ('etl_sync_status','last_successful_batch_id','uuid'),('etl_sync_status','sync_metadata','jsonb'),
 ('data_quality_issues','issue_id','bigint'),('data_quality_issues','batch_id','uuid'),
 ('data_quality_issues','table_name','text'),('data_quality_issues','record_id','text'),
 ('data_quality_issues','issue_type','text'),('data_quality_issues','severity','text'),
 ('data_quality_issues','issue_description','text'),('data_quality_issues','issue_data','jsonb'),
 ('data_quality_issues','created_at','timestamp with time zone');
-- the SCD2 columns of every dimension
INSERT INTO contract
SELECT d, c, t
  FROM unnest(ARRAY['dim_regions','dim_clients','dim_positions','dim_employees']) AS d,
       (VALUES ('valid_from','timestamp with time zone'), ('valid_to','timestamp with time zone'),
               ('is_current','boolean'), ('etl_batch_id','uuid')) AS v(c, t);

SELECT plan((SELECT count(DISTINCT tbl)::int FROM contract) + 2 * (SELECT count(*)::int FROM contract) + 6);

SELECT has_table('tracktik', t, 'tracktik.' || t || ' exists') FROM (SELECT DISTINCT tbl FROM contract) AS x(t) ORDER BY t;
SELECT has_column('tracktik', tbl, col, tbl || '.' || col || ' exists') FROM contract ORDER BY tbl, col;
SELECT col_type_is('tracktik', tbl, col, typ, tbl || '.' || col || ' is ' || typ) FROM contract ORDER BY tbl, col;

SELECT col_not_null('tracktik', 'dim_employees', 'valid_from', 'valid_from is NOT NULL');
SELECT col_not_null('tracktik', 'dim_employees', 'is_current', 'is_current is NOT NULL');

SELECT has_table('staging', 'api_records', 'staging.api_records exists');
SELECT columns_are('staging', 'api_records', ARRAY['batch_id', 'resource', 'record', 'fetched_at'],
                   'staging.api_records has exactly the contract columns');
SELECT col_type_is('staging', 'api_records', 'record', 'jsonb', 'staging records are JSONB');
SELECT has_extension('btree_gist', 'btree_gist is installed');

SELECT * FROM finish();
ROLLBACK;
