/* The second floor: Intel ISA-L's inflate in a plain C loop over a gzip file (concatenated members included),
 * discarding the output. scripts/bench compares recon with it and with the zlib loop beside it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <isa-l/igzip_lib.h>

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: isal-inflate-loop FILE.gz\n");
        return 64;
    }
    FILE *file = fopen(argv[1], "rb");
    if (!file) {
        perror(argv[1]);
        return 2;
    }
    static unsigned char in[1 << 18], out[1 << 20];
    static struct inflate_state state;
    isal_inflate_init(&state);
    state.crc_flag = ISAL_GZIP;
    unsigned long long total = 0;
    for (;;) {
        if (state.avail_in == 0) {
            state.avail_in = (unsigned)fread(in, 1, sizeof in, file);
            state.next_in = in;
            if (state.avail_in == 0) break;
        }
        state.next_out = out;
        state.avail_out = sizeof out;
        int status = isal_inflate(&state);
        total += sizeof out - state.avail_out;
        if (status < 0) {
            fprintf(stderr, "isa-l error %d\n", status);
            return 2;
        }
        if (state.block_state == ISAL_BLOCK_FINISH) {
            if (state.avail_in == 0) {
                state.avail_in = (unsigned)fread(in, 1, sizeof in, file);
                state.next_in = in;
                if (state.avail_in == 0) break;
            }
            unsigned char *next = state.next_in;
            unsigned available = state.avail_in;
            isal_inflate_reset(&state);
            state.crc_flag = ISAL_GZIP;
            state.next_in = next;
            state.avail_in = available;
        }
    }
    printf("%llu\n", total);
    return 0;
}
