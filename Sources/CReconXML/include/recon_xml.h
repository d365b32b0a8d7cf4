#ifndef RECON_XML_H
#define RECON_XML_H

/* A small streaming XML parser over libxml2's SAX2 push interface.
 *
 * Swift never sees libxml2's headers (importing them beside Foundation clashes on ICU types); it sees only this.
 * The parser is hardened for statements from outside: any DOCTYPE stops the parse (no entity can be declared, so
 * no entity expansion, external or recursive, can happen), the network is never used, and nesting is capped. */

#include <stddef.h>

typedef struct recon_xml_parser recon_xml_parser;

typedef struct recon_xml_callbacks {
    /* attributes: `attribute_count` pairs of (local name, value), NUL-terminated strings. */
    void (*start_element)(void *context, const char *local_name, const char *namespace_uri, int attribute_count,
                          const char *const *attributes);
    void (*end_element)(void *context, const char *local_name);
    void (*characters)(void *context, const char *bytes, int length);
} recon_xml_callbacks;

/* Creates a parser; `max_depth` caps element nesting. Returns NULL when out of memory. */
recon_xml_parser *recon_xml_create(const recon_xml_callbacks *callbacks, void *context, int max_depth);

/* Feeds bytes; `terminate` = 1 on the last call. Returns 0 while the document is fine, non-zero after an error. */
int recon_xml_feed(recon_xml_parser *parser, const char *bytes, int length, int terminate);

/* Stops the parse from inside a callback with a message of the caller's. */
void recon_xml_abort(recon_xml_parser *parser, const char *message);

/* The first error: message (never NULL after a failed feed), line and column (1-based, 0 when unknown). */
const char *recon_xml_error_message(const recon_xml_parser *parser);
int recon_xml_error_line(const recon_xml_parser *parser);
int recon_xml_error_column(const recon_xml_parser *parser);

/* libxml2's error code for the first error (0 when the error was the wrapper's own). */
int recon_xml_error_code(const recon_xml_parser *parser);

/* The current line (1-based) and the bytes consumed so far. */
int recon_xml_line(const recon_xml_parser *parser);
long recon_xml_byte_offset(const recon_xml_parser *parser);

void recon_xml_free(recon_xml_parser *parser);

#endif
