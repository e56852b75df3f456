/* fox_fixture_server.c - an independent Modbus server for EdgeEnergy's tests, written for this project on libmodbus
 * (the reference C implementation; not our code path). The test fixture compiles it with
 *   gcc -O2 -o fox_fixture_server fox_fixture_server.c $(pkg-config --cflags --libs libmodbus)
 *
 * usage: fox_fixture_server tcp PORT VALUES_FILE          (PORT 0 = any free port; the port is printed on stdout)
 *        fox_fixture_server rtu DEVICE BAUD UNIT VALUES_FILE
 * VALUES_FILE: one "h ADDRESS VALUE" (holding register), "i ADDRESS VALUE" (input register) or "c ADDRESS 0|1" (coil)
 * per line; VALUE may be negative (stored as 16-bit two's complement). The whole 0..65535 space of every table is
 * mapped, so libmodbus itself decides the replies, exceptions included. Serves clients one after another until killed. */
#include <modbus/modbus.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int load(const char *path, modbus_mapping_t *mb) {
    FILE *f = fopen(path, "r");
    if (!f) { perror(path); return -1; }
    char kind; long address, value;
    while (fscanf(f, " %c %ld %ld", &kind, &address, &value) == 3) {
        if (address < 0 || address > 65534) { fprintf(stderr, "bad address %ld\n", address); return -1; }
        if (kind == 'h') mb->tab_registers[address] = (uint16_t)value;
        else if (kind == 'i') mb->tab_input_registers[address] = (uint16_t)value;
        else if (kind == 'c') mb->tab_bits[address] = value ? 1 : 0;
        else { fprintf(stderr, "bad kind %c\n", kind); return -1; }
    }
    fclose(f);
    return 0;
}

int main(int argc, char **argv) {
    int tcp = argc == 4 && strcmp(argv[1], "tcp") == 0;
    int rtu = argc == 6 && strcmp(argv[1], "rtu") == 0;
    if (!tcp && !rtu) { fprintf(stderr, "usage: tcp PORT FILE | rtu DEVICE BAUD UNIT FILE\n"); return 2; }
    modbus_mapping_t *mb = modbus_mapping_new(65535, 65535, 65535, 65535);
    if (!mb || load(argv[tcp ? 3 : 5], mb) < 0) return 1;
    modbus_t *ctx = tcp ? modbus_new_tcp("127.0.0.1", atoi(argv[2])) : modbus_new_rtu(argv[2], atoi(argv[3]), 'N', 8, 1);
    if (!ctx) { perror("modbus_new"); return 1; }
    uint8_t query[MODBUS_MAX_ADU_LENGTH];
    if (rtu) {
        modbus_set_slave(ctx, atoi(argv[4]));
        if (modbus_connect(ctx) < 0) { fprintf(stderr, "connect: %s\n", modbus_strerror(errno)); return 1; }
        printf("ready\n"); fflush(stdout);
        for (;;) { int rc = modbus_receive(ctx, query); if (rc > 0) modbus_reply(ctx, query, rc, mb); }
    }
    int listener = modbus_tcp_listen(ctx, 4);
    if (listener < 0) { fprintf(stderr, "listen: %s\n", modbus_strerror(errno)); return 1; }
    struct sockaddr_in bound; socklen_t len = sizeof bound;
    getsockname(listener, (struct sockaddr *)&bound, &len);
    printf("%d\n", ntohs(bound.sin_port)); fflush(stdout);
    for (;;) {
        int client = listener;
        if (modbus_tcp_accept(ctx, &client) < 0) { fprintf(stderr, "accept: %s\n", modbus_strerror(errno)); return 1; }
        for (;;) {
            int rc = modbus_receive(ctx, query);
            if (rc > 0) modbus_reply(ctx, query, rc, mb);
            else if (rc == -1) break;          /* client closed: accept the next one */
        }
        close(client);
    }
}
