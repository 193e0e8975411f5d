#ifndef TROUPE_CFFMPEG_SHIM_H
#define TROUPE_CFFMPEG_SHIM_H
#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libavutil/avutil.h>
#include <libavutil/error.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libavutil/channel_layout.h>
#include <libavutil/mathematics.h>
#include <libswscale/swscale.h>
#include <libswresample/swresample.h>
#include <errno.h>

/* Macros that do not import into Swift. */
static const int64_t TROUPE_AV_NOPTS_VALUE = AV_NOPTS_VALUE;
static const int TROUPE_AVERROR_EOF = AVERROR_EOF;
static const int TROUPE_AVERROR_EAGAIN = AVERROR(EAGAIN);
static const int TROUPE_AVERROR_INVALIDDATA = AVERROR_INVALIDDATA;
static inline int troupe_averror(int e) { return AVERROR(e); }
static const int TROUPE_AV_TIME_BASE = AV_TIME_BASE;
static inline AVRational troupe_av_time_base_q(void) { return (AVRational){1, AV_TIME_BASE}; }
static inline const char *troupe_av_err2str(int err, char *buf, size_t size) { return av_make_error_string(buf, size, err); }
#endif
