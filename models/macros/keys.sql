{#
  The 64-bit keys of the place and device dimensions, from a play's columns
  (SQL expressions; NULL where the play has none): fct_plays and the
  dimensions compute them alike. Integers, not the text of the parts joined:
  the fact stores, compresses and joins them several times cheaper, and a
  hash of the parts apart cannot confuse ("a|b", "c") with ("a", "b|c").
#}
{% macro region_key(country, region, city) -%}
hash(coalesce({{ country }}, 'unknown'), coalesce({{ region }}, ''), coalesce({{ city }}, ''))
{%- endmacro %}

{% macro device_key(device, platform) -%}
hash(coalesce({{ device }}, 'unknown'), coalesce({{ platform }}, ''))
{%- endmacro %}
