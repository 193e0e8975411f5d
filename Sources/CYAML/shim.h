#ifndef TROUPE_CYAML_SHIM_H
#define TROUPE_CYAML_SHIM_H
#include <yaml.h>

/* The event union is anonymous in C; these accessors keep Swift code readable. */
static inline const char *troupe_yaml_scalar_value(const yaml_event_t *e) { return (const char *)e->data.scalar.value; }
static inline size_t troupe_yaml_scalar_length(const yaml_event_t *e) { return e->data.scalar.length; }
static inline const char *troupe_yaml_scalar_anchor(const yaml_event_t *e) { return (const char *)e->data.scalar.anchor; }
static inline const char *troupe_yaml_scalar_tag(const yaml_event_t *e) { return (const char *)e->data.scalar.tag; }
static inline int troupe_yaml_scalar_plain(const yaml_event_t *e) { return e->data.scalar.plain_implicit; }
static inline yaml_scalar_style_t troupe_yaml_scalar_style(const yaml_event_t *e) { return e->data.scalar.style; }
static inline const char *troupe_yaml_alias_anchor(const yaml_event_t *e) { return (const char *)e->data.alias.anchor; }
static inline const char *troupe_yaml_sequence_anchor(const yaml_event_t *e) { return (const char *)e->data.sequence_start.anchor; }
static inline const char *troupe_yaml_mapping_anchor(const yaml_event_t *e) { return (const char *)e->data.mapping_start.anchor; }
static inline const char *troupe_yaml_sequence_tag(const yaml_event_t *e) { return (const char *)e->data.sequence_start.tag; }
static inline const char *troupe_yaml_mapping_tag(const yaml_event_t *e) { return (const char *)e->data.mapping_start.tag; }
#endif
