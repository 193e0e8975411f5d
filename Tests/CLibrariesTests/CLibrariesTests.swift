import CCurl
import CFFmpeg
import CYAML
import Testing

/// Each system library links and answers at run time.
@Suite struct CLibrariesTests {
    @Test func libyamlReportsItsVersion() {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        yaml_get_version(&major, &minor, &patch)
        #expect(major == 0 && minor >= 2)
        #expect(String(cString: yaml_get_version_string()).hasPrefix("0."))
    }

    @Test func libyamlParsesAScalar() throws {
        var parser = yaml_parser_t()
        #expect(yaml_parser_initialize(&parser) == 1)
        defer { yaml_parser_delete(&parser) }
        let text = Array("hello".utf8)
        text.withUnsafeBufferPointer { yaml_parser_set_input_string(&parser, $0.baseAddress, $0.count) }
        var kinds: [yaml_event_type_t] = []
        var event = yaml_event_t()
        while yaml_parser_parse(&parser, &event) == 1 {
            kinds.append(event.type)
            let done = event.type == YAML_STREAM_END_EVENT
            if event.type == YAML_SCALAR_EVENT {
                #expect(String(cString: troupe_yaml_scalar_value(&event)) == "hello")
            }
            yaml_event_delete(&event)
            if done { break }
        }
        #expect(kinds.contains(YAML_SCALAR_EVENT))
    }

    @Test func libcurlReportsItsVersionAndTakesTypedOptions() throws {
        let info = curl_version_info(TROUPE_CURLVERSION_NOW)!.pointee
        #expect(info.version_num >= 0x07_40_00)
        #expect(String(cString: curl_version()).hasPrefix("libcurl/"))
        let handle = try #require(curl_easy_init())
        defer { curl_easy_cleanup(handle) }
        #expect(troupe_curl_easy_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, 500) == CURLE_OK)
        #expect(troupe_curl_easy_setopt_string(handle, CURLOPT_URL, "http://127.0.0.1:9/") == CURLE_OK)
    }

    @Test func ffmpegLibrariesReportVersionsAndConstants() {
        #expect(avformat_version() >> 16 >= 59)
        #expect(avcodec_version() >> 16 >= 59)
        #expect(avutil_version() >> 16 >= 57)
        #expect(swscale_version() >> 16 >= 6)
        #expect(swresample_version() >> 16 >= 4)
        #expect(TROUPE_AV_NOPTS_VALUE == Int64.min)
        #expect(TROUPE_AVERROR_EOF < 0)
        #expect(troupe_averror(EAGAIN) == TROUPE_AVERROR_EAGAIN)
        #expect(avcodec_find_encoder(AV_CODEC_ID_H264) != nil, "libx264 encoder available")
        #expect(avcodec_find_decoder(AV_CODEC_ID_H264) != nil)
    }
}
