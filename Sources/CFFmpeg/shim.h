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
#include <libavutil/display.h>
#include <libavutil/audio_fifo.h>
#include <libavutil/samplefmt.h>
#include <libswscale/swscale.h>
#include <libswresample/swresample.h>
#include <libavfilter/avfilter.h>
#include <libavfilter/buffersrc.h>
#include <libavfilter/buffersink.h>
#include <errno.h>
#include <dlfcn.h>

/* libavfilter is opened on first use, not linked: with what it depends on (about thirty
   libraries: flite's voices, LAPACK, pocketsphinx, libplacebo…) it cost every troupe command
   12 MB and tens of milliseconds to load, and only deliverables build filter graphs. Each
   wrapper below finds its function once; without the library it answers as the function would
   on failure (NULL, ENOSYS), after troupe_avfilter_load() has said why. */
static inline void *troupe_avfilter_handle(const char **why) {
    static void *handle;
    void *h = __atomic_load_n(&handle, __ATOMIC_ACQUIRE);
    if (h) return h;
    h = dlopen("libavfilter.so." AV_STRINGIFY(LIBAVFILTER_VERSION_MAJOR), RTLD_NOW | RTLD_LOCAL);
    if (!h) { if (why) *why = dlerror(); return NULL; }
    __atomic_store_n(&handle, h, __ATOMIC_RELEASE);
    return h;
}

/* NULL when libavfilter is loaded, else the loader's reason. */
static inline const char *troupe_avfilter_load(void) {
    const char *why = "libavfilter could not be opened";
    return troupe_avfilter_handle(&why) ? NULL : why;
}

#define TROUPE_AVFILTER_FN(name) \
    static __typeof__(&name) found_; \
    __typeof__(&name) fn = __atomic_load_n(&found_, __ATOMIC_ACQUIRE); \
    if (!fn) { \
        void *h = troupe_avfilter_handle(NULL); \
        fn = h ? (__typeof__(&name))dlsym(h, #name) : NULL; \
        if (fn) __atomic_store_n(&found_, fn, __ATOMIC_RELEASE); \
    }

static inline AVFilterGraph *troupe_avfilter_graph_alloc(void) {
    TROUPE_AVFILTER_FN(avfilter_graph_alloc) return fn ? fn() : NULL;
}
static inline void troupe_avfilter_graph_free(AVFilterGraph **graph) {
    TROUPE_AVFILTER_FN(avfilter_graph_free) if (fn) fn(graph);
}
static inline int troupe_avfilter_graph_config(AVFilterGraph *graph, void *log) {
    TROUPE_AVFILTER_FN(avfilter_graph_config) return fn ? fn(graph, log) : AVERROR(ENOSYS);
}
static inline const AVFilter *troupe_avfilter_get_by_name(const char *name) {
    TROUPE_AVFILTER_FN(avfilter_get_by_name) return fn ? fn(name) : NULL;
}
static inline int troupe_avfilter_graph_create_filter(AVFilterContext **made, const AVFilter *filter, const char *name,
                                                      const char *args, void *opaque, AVFilterGraph *graph) {
    TROUPE_AVFILTER_FN(avfilter_graph_create_filter) return fn ? fn(made, filter, name, args, opaque, graph) : AVERROR(ENOSYS);
}
static inline int troupe_avfilter_graph_parse_ptr(AVFilterGraph *graph, const char *text, AVFilterInOut **inputs,
                                                  AVFilterInOut **outputs, void *log) {
    TROUPE_AVFILTER_FN(avfilter_graph_parse_ptr) return fn ? fn(graph, text, inputs, outputs, log) : AVERROR(ENOSYS);
}
static inline AVFilterInOut *troupe_avfilter_inout_alloc(void) {
    TROUPE_AVFILTER_FN(avfilter_inout_alloc) return fn ? fn() : NULL;
}
static inline void troupe_avfilter_inout_free(AVFilterInOut **io) {
    TROUPE_AVFILTER_FN(avfilter_inout_free) if (fn) fn(io);
}
static inline int troupe_av_buffersrc_add_frame_flags(AVFilterContext *source, AVFrame *frame, int flags) {
    TROUPE_AVFILTER_FN(av_buffersrc_add_frame_flags) return fn ? fn(source, frame, flags) : AVERROR(ENOSYS);
}
static inline int troupe_av_buffersink_get_frame_flags(AVFilterContext *sink, AVFrame *frame, int flags) {
    TROUPE_AVFILTER_FN(av_buffersink_get_frame_flags) return fn ? fn(sink, frame, flags) : AVERROR(ENOSYS);
}
static inline void troupe_av_buffersink_set_frame_size(AVFilterContext *sink, unsigned size) {
    TROUPE_AVFILTER_FN(av_buffersink_set_frame_size) if (fn) fn(sink, size);
}
static inline AVRational troupe_av_buffersink_get_time_base(const AVFilterContext *sink) {
    TROUPE_AVFILTER_FN(av_buffersink_get_time_base) return fn ? fn(sink) : (AVRational){0, 1};
}

/* Macros that do not import into Swift. */
static const int64_t TROUPE_AV_NOPTS_VALUE = AV_NOPTS_VALUE;
static const int TROUPE_AVERROR_EOF = AVERROR_EOF;
static const int TROUPE_AVERROR_EAGAIN = AVERROR(EAGAIN);
static const int TROUPE_AVERROR_INVALIDDATA = AVERROR_INVALIDDATA;
static const int TROUPE_AVERROR_EXIT = AVERROR_EXIT;
static inline int troupe_averror(int e) { return AVERROR(e); }
static const int TROUPE_AV_TIME_BASE = AV_TIME_BASE;
static inline AVRational troupe_av_time_base_q(void) { return (AVRational){1, AV_TIME_BASE}; }
static inline const char *troupe_av_err2str(int err, char *buf, size_t size) { return av_make_error_string(buf, size, err); }
static const int TROUPE_CODEC_FLAG_GLOBAL_HEADER = AV_CODEC_FLAG_GLOBAL_HEADER;
static const int TROUPE_CODEC_FLAG_BITEXACT = AV_CODEC_FLAG_BITEXACT;
static const int TROUPE_FMT_FLAG_BITEXACT = AVFMT_FLAG_BITEXACT;
static const int TROUPE_FMT_GLOBALHEADER = AVFMT_GLOBALHEADER;
static const int TROUPE_PKT_FLAG_KEY = AV_PKT_FLAG_KEY;
static const int TROUPE_SEEK_BACKWARD = AVSEEK_FLAG_BACKWARD;

/* Array members (data[8], linesize[8]) import as tuples; index them here. */
static inline uint8_t *troupe_frame_data(const AVFrame *f, int plane) { return f->data[plane]; }
static inline int troupe_frame_linesize(const AVFrame *f, int plane) { return f->linesize[plane]; }

/* Rotation in degrees from a stream's display matrix, 0 when it has none. */
static inline double troupe_stream_rotation(const AVStream *st) {
    size_t size = 0;
    const uint8_t *m = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, &size);
    if (!m || size < 9 * sizeof(int32_t)) return 0;
    double r = av_display_rotation_get((const int32_t *)m);
    return r != r ? 0 : -r; /* NaN guard; display matrix is counter-clockwise */
}

/* Copies a stream's display matrix (rotation) to another stream; 0 when there is none. */
static inline int troupe_copy_display_matrix(AVStream *dst, const AVStream *src) {
    size_t size = 0;
    const uint8_t *m = av_stream_get_side_data(src, AV_PKT_DATA_DISPLAYMATRIX, &size);
    if (!m) return 0;
    uint8_t *d = av_stream_new_side_data(dst, AV_PKT_DATA_DISPLAYMATRIX, size);
    if (!d) return AVERROR(ENOMEM);
    memcpy(d, m, size);
    return 0;
}

/* Sets a stream's display matrix to a clockwise rotation in degrees. */
static inline int troupe_set_rotation(AVStream *st, double clockwise) {
    uint8_t *d = av_stream_new_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, 9 * sizeof(int32_t));
    if (!d) return AVERROR(ENOMEM);
    av_display_rotation_set((int32_t *)d, clockwise); /* set(a) reads back as get() = -a */
    return 0;
}

/* swr_convert over whole frames; out must have buffers for out->nb_samples. in may be NULL to flush. */
static inline int troupe_swr_convert_frame(SwrContext *s, AVFrame *out, const AVFrame *in) {
    int n = swr_convert(s, out->extended_data, out->nb_samples,
                        in ? (const uint8_t **)in->extended_data : NULL, in ? in->nb_samples : 0);
    if (n >= 0) out->nb_samples = n;
    return n;
}

/* Write samples [offset, offset+count) of a frame into a fifo. */
static inline int troupe_fifo_write_frame(AVAudioFifo *fifo, const AVFrame *f, int offset, int count) {
    int planar = av_sample_fmt_is_planar(f->format);
    int bps = av_get_bytes_per_sample(f->format);
    int ch = f->ch_layout.nb_channels;
    void *planes[64];
    int n = planar ? ch : 1;
    if (n > 64) return AVERROR(EINVAL);
    for (int i = 0; i < n; i++)
        planes[i] = f->extended_data[i] + (size_t)offset * bps * (planar ? 1 : ch);
    return av_audio_fifo_write(fifo, planes, count);
}

static inline int troupe_fifo_read_frame(AVAudioFifo *fifo, AVFrame *f, int count) {
    return av_audio_fifo_read(fifo, (void **)f->data, count);
}
#endif
