-- ISO 3166-2 subdivisions (states, provinces, prefectures, ...) with their
-- names, from Debian's iso-codes package: the names the dashboard shows for
-- the region codes plays carry (JP-13 is Tokyo). The file's path is the var
-- iso_3166_2_path, so a machine that keeps it elsewhere passes --vars.
with source as (
    select unnest("3166-2", recursive := true)
    from read_json('{{ var("iso_3166_2_path") }}')
)

select
    code                                as subdivision_code,
    split_part(code, '-', 1)            as country,
    substr(code, strpos(code, '-') + 1) as region,
    name                                as subdivision_name,
    type                                as subdivision_type
from source
