#include "recon_xml.h"

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct recon_xml_parser {
    xmlParserCtxtPtr context;
    recon_xml_callbacks callbacks;
    void *user;
    int depth;
    int max_depth;
    int failed;
    char message[512];
    int error_line;
    int error_column;
    int error_code;
    const char **attribute_scratch;
    int attribute_capacity;
};

static void record_error(recon_xml_parser *parser, const char *message, int line, int column) {
    if (parser->failed) return;
    parser->failed = 1;
    parser->error_code = 0;
    snprintf(parser->message, sizeof parser->message, "%s", message);
    /* libxml2 messages end with a newline; drop it. */
    size_t length = strlen(parser->message);
    while (length > 0 && (parser->message[length - 1] == '\n' || parser->message[length - 1] == ' ')) {
        parser->message[--length] = '\0';
    }
    parser->error_line = line;
    parser->error_column = column;
}

static void stop_with(recon_xml_parser *parser, const char *message) {
    int line = parser->context ? xmlSAX2GetLineNumber(parser->context) : 0;
    int column = parser->context ? xmlSAX2GetColumnNumber(parser->context) : 0;
    record_error(parser, message, line, column);
    if (parser->context) xmlStopParser(parser->context);
}

static void on_structured_error(void *user, xmlErrorPtr error) {
    recon_xml_parser *parser = user;
    if (error == NULL || error->level < XML_ERR_ERROR) return;
    int already = parser->failed;
    record_error(parser, error->message ? error->message : "malformed XML", error->line, error->int2);
    if (!already) parser->error_code = error->code;
}

static void on_internal_subset(void *user, const xmlChar *name, const xmlChar *external_id, const xmlChar *system_id) {
    (void)name;
    (void)external_id;
    (void)system_id;
    stop_with(user, "DOCTYPE is not allowed in a statement (entity declarations can expand without bound or reach "
                    "outside the file)");
}

static void on_entity_decl(void *user, const xmlChar *name, int type, const xmlChar *public_id,
                           const xmlChar *system_id, xmlChar *content) {
    (void)name;
    (void)type;
    (void)public_id;
    (void)system_id;
    (void)content;
    stop_with(user, "entity declarations are not allowed in a statement");
}

static xmlEntityPtr on_get_entity(void *user, const xmlChar *name) {
    (void)user;
    /* Only the five predefined entities exist. */
    return xmlGetPredefinedEntity(name);
}

static void on_start_element(void *user, const xmlChar *local_name, const xmlChar *prefix, const xmlChar *uri,
                             int namespace_count, const xmlChar **namespaces, int attribute_count, int defaulted,
                             const xmlChar **attributes) {
    (void)prefix;
    (void)namespace_count;
    (void)namespaces;
    (void)defaulted;
    recon_xml_parser *parser = user;
    if (parser->failed) return;
    parser->depth += 1;
    if (parser->depth > parser->max_depth) {
        char message[128];
        snprintf(message, sizeof message, "elements nested deeper than %d levels", parser->max_depth);
        stop_with(parser, message);
        return;
    }
    if (attribute_count * 2 > parser->attribute_capacity) {
        int capacity = attribute_count * 2 + 8;
        const char **grown = realloc(parser->attribute_scratch, sizeof(char *) * (size_t)capacity);
        if (grown == NULL) {
            stop_with(parser, "out of memory");
            return;
        }
        parser->attribute_scratch = grown;
        parser->attribute_capacity = capacity;
    }
    /* SAX2 attributes come as (localname, prefix, URI, value start, value end) with unterminated values. */
    char *values[64];
    int kept = 0;
    for (int index = 0; index < attribute_count && kept < 64; index++) {
        const xmlChar *name = attributes[index * 5];
        const xmlChar *start = attributes[index * 5 + 3];
        const xmlChar *end = attributes[index * 5 + 4];
        size_t length = (size_t)(end - start);
        char *value = malloc(length + 1);
        if (value == NULL) break;
        memcpy(value, start, length);
        value[length] = '\0';
        values[kept] = value;
        parser->attribute_scratch[kept * 2] = (const char *)name;
        parser->attribute_scratch[kept * 2 + 1] = value;
        kept += 1;
    }
    if (parser->callbacks.start_element) {
        parser->callbacks.start_element(parser->user, (const char *)local_name, (const char *)uri, kept,
                                        parser->attribute_scratch);
    }
    for (int index = 0; index < kept; index++) free(values[index]);
}

static void on_end_element(void *user, const xmlChar *local_name, const xmlChar *prefix, const xmlChar *uri) {
    (void)prefix;
    (void)uri;
    recon_xml_parser *parser = user;
    if (parser->failed) return;
    parser->depth -= 1;
    if (parser->callbacks.end_element) parser->callbacks.end_element(parser->user, (const char *)local_name);
}

static void on_characters(void *user, const xmlChar *bytes, int length) {
    recon_xml_parser *parser = user;
    if (parser->failed) return;
    if (parser->callbacks.characters) parser->callbacks.characters(parser->user, (const char *)bytes, length);
}

recon_xml_parser *recon_xml_create(const recon_xml_callbacks *callbacks, void *context, int max_depth) {
    recon_xml_parser *parser = calloc(1, sizeof *parser);
    if (parser == NULL) return NULL;
    parser->callbacks = *callbacks;
    parser->user = context;
    parser->max_depth = max_depth;

    /* Only our callbacks: libxml2's default SAX2 handlers expect the parser context as their user data and would
     * build a document tree; neither is wanted. */
    xmlSAXHandler handler;
    memset(&handler, 0, sizeof handler);
    handler.initialized = XML_SAX2_MAGIC;
    handler.internalSubset = on_internal_subset;
    handler.entityDecl = on_entity_decl;
    handler.getEntity = on_get_entity;
    handler.startElementNs = on_start_element;
    handler.endElementNs = on_end_element;
    handler.characters = on_characters;
    handler.cdataBlock = on_characters;
    handler.serror = on_structured_error;

    parser->context = xmlCreatePushParserCtxt(&handler, parser, NULL, 0, NULL);
    if (parser->context == NULL) {
        free(parser);
        return NULL;
    }
    xmlCtxtUseOptions(parser->context, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    return parser;
}

int recon_xml_feed(recon_xml_parser *parser, const char *bytes, int length, int terminate) {
    if (parser->failed) return 1;
    int status = xmlParseChunk(parser->context, bytes, length, terminate);
    if (status != 0 && !parser->failed) {
        const xmlError *error = xmlCtxtGetLastError(parser->context);
        if (error && error->message) {
            record_error(parser, error->message, error->line, error->int2);
        } else {
            record_error(parser, "malformed XML", xmlSAX2GetLineNumber(parser->context),
                         xmlSAX2GetColumnNumber(parser->context));
        }
    }
    return parser->failed;
}

void recon_xml_abort(recon_xml_parser *parser, const char *message) { stop_with(parser, message); }

const char *recon_xml_error_message(const recon_xml_parser *parser) {
    return parser->failed ? parser->message : NULL;
}

int recon_xml_error_line(const recon_xml_parser *parser) { return parser->error_line; }

int recon_xml_error_column(const recon_xml_parser *parser) { return parser->error_column; }

int recon_xml_error_code(const recon_xml_parser *parser) { return parser->error_code; }

int recon_xml_line(const recon_xml_parser *parser) { return xmlSAX2GetLineNumber(parser->context); }

long recon_xml_byte_offset(const recon_xml_parser *parser) { return xmlByteConsumed(parser->context); }

void recon_xml_free(recon_xml_parser *parser) {
    if (parser == NULL) return;
    if (parser->context) {
        if (parser->context->myDoc) xmlFreeDoc(parser->context->myDoc);
        xmlFreeParserCtxt(parser->context);
    }
    free(parser->attribute_scratch);
    free(parser);
}
