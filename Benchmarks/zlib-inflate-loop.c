/* The reference floor: a plain C zlib inflate loop over a gzip file (concatenated members included), discarding
 * the output. scripts/bench compares the project's own gzip byte source with it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: zlib-inflate-loop FILE.gz\n");
        return 64;
    }
    FILE *file = fopen(argv[1], "rb");
    if (!file) {
        perror(argv[1]);
        return 2;
    }
    static unsigned char in[1 << 18], out[1 << 20];
    z_stream stream;
    memset(&stream, 0, sizeof stream);
    if (inflateInit2(&stream, 15 + 16) != Z_OK) return 2;
    unsigned long long total = 0;
    int status = Z_OK;
    for (;;) {
        if (stream.avail_in == 0) {
            stream.avail_in = (unsigned)fread(in, 1, sizeof in, file);
            stream.next_in = in;
            if (stream.avail_in == 0) break;
        }
        stream.next_out = out;
        stream.avail_out = sizeof out;
        status = inflate(&stream, Z_NO_FLUSH);
        total += sizeof out - stream.avail_out;
        if (status == Z_STREAM_END) {
            if (stream.avail_in == 0) {
                stream.avail_in = (unsigned)fread(in, 1, sizeof in, file);
                stream.next_in = in;
                if (stream.avail_in == 0) break;
            }
            inflateReset(&stream);
        } else if (status != Z_OK && status != Z_BUF_ERROR) {
            fprintf(stderr, "zlib error %d\n", status);
            return 2;
        }
    }
    printf("%llu\n", total);
    return 0;
}
