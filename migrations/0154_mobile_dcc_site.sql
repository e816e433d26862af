-- The ARCEP site that serves a targeted-coverage zone once in service, confirmed by an editor
-- (`num_site` of the quarterly sites file, suggested by proximity).
ALTER TABLE mobile_dcc ADD COLUMN site_arcep text;
