/* Monotonic time and short sleeps, for timeouts and elapsed times. */
#ifndef TUNLAB_CLOCK_H
#define TUNLAB_CLOCK_H

/* Seconds on the monotonic clock: only differences mean anything. */
double clock_seconds(void);
void clock_sleep_ms(int ms);

#endif
