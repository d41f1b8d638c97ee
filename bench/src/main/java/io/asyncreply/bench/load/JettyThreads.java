package io.asyncreply.bench.load;

import com.sun.tools.attach.VirtualMachine;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * Samples Jetty's {@code QueuedThreadPool} of a running container through JMX (the container runs
 * with Jetty's {@code jmx} module; this tool attaches to its pid and starts the local management
 * agent, so no port is opened). Every {@code intervalMs} for {@code seconds}: busy threads (pool
 * threads minus ready ones: includes the selector and acceptor threads Jetty leases for itself),
 * leased threads, and all threads of the pool and of the JVM.
 *
 * <p>Usage: {@code threads PID SECONDS INTERVAL_MS}; prints {@code key=value} lines.
 */
final class JettyThreads {
    private JettyThreads() {
    }

    static void main(String[] args) throws Exception {
        String pid = args[0];
        double seconds = Double.parseDouble(args[1]);
        long interval = Long.parseLong(args[2]);
        VirtualMachine vm = VirtualMachine.attach(pid);
        String address;
        try {
            address = vm.startLocalManagementAgent();
        } finally {
            vm.detach();
        }
        try (JMXConnector c = JMXConnectorFactory.connect(new JMXServiceURL(address))) {
            MBeanServerConnection mbs = c.getMBeanServerConnection();
            Set<ObjectName> pools = mbs.queryNames(new ObjectName("org.eclipse.jetty.util.thread:type=queuedthreadpool,*"),
                    null);
            if (pools.isEmpty()) {
                throw new IllegalStateException("no QueuedThreadPool MBean: is Jetty's jmx module enabled?");
            }
            ObjectName pool = pools.iterator().next();
            ThreadMXBean jvm = ManagementFactory.newPlatformMXBeanProxy(mbs, ManagementFactory.THREAD_MXBEAN_NAME,
                    ThreadMXBean.class);
            List<Integer> busy = new ArrayList<>();
            List<Integer> utilized = new ArrayList<>();
            int leasedMax = 0;
            int threadsMax = 0;
            int jvmMax = 0;
            int maxThreads = ((Number) mbs.getAttribute(pool, "maxThreads")).intValue();
            long end = System.nanoTime() + (long) (seconds * 1e9);
            while (System.nanoTime() < end) {
                busy.add(((Number) mbs.getAttribute(pool, "busyThreads")).intValue());
                utilized.add(((Number) mbs.getAttribute(pool, "utilizedThreads")).intValue());
                leasedMax = Math.max(leasedMax, ((Number) mbs.getAttribute(pool, "leasedThreads")).intValue());
                threadsMax = Math.max(threadsMax, ((Number) mbs.getAttribute(pool, "threads")).intValue());
                jvmMax = Math.max(jvmMax, jvm.getThreadCount());
                Thread.sleep(interval);
            }
            System.out.println(String.format(Locale.ROOT,
                    "samples=%d%nbusy_median=%d%nbusy_max=%d%nutilized_median=%d%nutilized_max=%d%nleased_max=%d%n"
                            + "pool_threads_max=%d%npool_max_threads=%d%njvm_threads_max=%d",
                    busy.size(), median(busy), max(busy), median(utilized), max(utilized), leasedMax, threadsMax,
                    maxThreads, jvmMax));
        }
    }

    private static int median(List<Integer> xs) {
        int[] a = xs.stream().mapToInt(Integer::intValue).toArray();
        Arrays.sort(a);
        return a.length == 0 ? -1 : a[a.length / 2];
    }

    private static int max(List<Integer> xs) {
        return xs.stream().mapToInt(Integer::intValue).max().orElse(-1);
    }
}
