{#- The contract's user key, written once: the event's own user id; else the owner of its device
    (int_devices__owners: the user of the device's earliest signed-in clean event); else the
    anonymous device itself. -#}
{% macro user_key(user_id, device_owner, device_id) -%}
    coalesce({{ user_id }}, {{ device_owner }}, 'device:' || {{ device_id }})
{%- endmacro %}
