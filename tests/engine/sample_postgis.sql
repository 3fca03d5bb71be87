-- The geometry part of the sample, for sources with PostGIS installed.
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE TABLE public.places (
    id int PRIMARY KEY,
    name text,
    geom geometry(Point, 4326),
    area geometry
);
CREATE INDEX places_geom_idx ON public.places USING gist (geom);
INSERT INTO public.places
SELECT g, 'place ' || g, ST_SetSRID(ST_MakePoint(g * 0.01, g * 0.02), 4326),
       ST_Buffer(ST_MakePoint(g, g), 1.5)
FROM generate_series(1, 500) g;
ANALYZE public.places;
