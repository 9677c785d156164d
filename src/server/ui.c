/* SPDX-License-Identifier: MIT */
/*
 * server/ui.c - the web UI's files, embedded at build time from web/ by
 * scripts/embed.py (see src/server/meson.build), served read-only.
 * Nothing is read from disk: the binary carries the UI it was built with.
 */
#include "server_int.h"

#include <string.h>

#define WEB_FILES(X) \
	X(index_html, "/index.html", "text/html; charset=utf-8") \
	X(style_css, "/style.css", "text/css; charset=utf-8") \
	X(app_js, "/app.js", "text/javascript; charset=utf-8") \
	X(api_js, "/api.js", "text/javascript; charset=utf-8") \
	X(icon_svg, "/icon.svg", "image/svg+xml")

#define DECLARE(name, path, type) \
	extern const char bn_web_##name[]; \
	extern const unsigned long bn_web_##name##_len;
WEB_FILES(DECLARE)
#undef DECLARE

typedef struct web_file {
	const char *path;            /* the URL path */
	const char *data;            /* embedded bytes */
	const unsigned long *len;    /* their count */
	const char *type;            /* Content-Type */
} web_file;

#define ENTRY(name, p, t) { p, bn_web_##name, &bn_web_##name##_len, t },
static const web_file web_files[] = { WEB_FILES(ENTRY) };
#undef ENTRY

bool bn_server__ui_find(const char **data, size_t *len, const char **type,
			const char *path)
{
	size_t i;

	if (!strcmp(path, "/"))
		path = "/index.html";
	for (i = 0; i < sizeof(web_files) / sizeof(web_files[0]); i++)
		if (!strcmp(web_files[i].path, path)) {
			*data = web_files[i].data;
			*len = (size_t)*web_files[i].len;
			*type = web_files[i].type;
			return true;
		}
	return false;
}
