#!/usr/bin/env python3
# bench/jfr-top.py FILE.jfr HH:MM:SS HH:MM:SS: where the Java samples of a JFR recording (bench/run.sh with
# BENCH_JFR=1) fall between two times: by thread, by top frame, and by io.asyncreply method (inclusive).
import sys, re, subprocess, collections
f, t0, t1 = sys.argv[1], sys.argv[2], sys.argv[3]
out = subprocess.run(['jfr','print','--events','jdk.ExecutionSample','--stack-depth','64',f],capture_output=True,text=True).stdout
events = out.split('jdk.ExecutionSample')
threads=collections.Counter(); top=collections.Counter(); incl=collections.Counter(); n=0
for e in events:
    m=re.search(r'startTime = (\d\d:\d\d:\d\d)',e)
    if not m or not (t0 <= m.group(1) < t1): continue
    tm=re.search(r'sampledThread = "([^"]*)"',e)
    th=re.sub(r'[-_ ]?\d+','#',tm.group(1)) if tm else '?'
    frames=re.findall(r'^\s+([\w$.<>]+)\(',e,re.M)
    if not frames: continue
    n+=1; threads[th]+=1; top[frames[0]]+=1
    seen=set()
    for fr in frames:
        key=fr.rsplit('.',1)[0] if fr.startswith('io.asyncreply') else None
        if fr.startswith('io.asyncreply') and fr not in seen:
            seen.add(fr); incl[fr]+=1
print('samples',n)
print('-- threads'); [print(f'{c*100/n:5.1f}% {k}') for k,c in threads.most_common(12)]
print('-- top frames (self)'); [print(f'{c*100/n:5.1f}% {k}') for k,c in top.most_common(25)]
print('-- io.asyncreply inclusive'); [print(f'{c*100/n:5.1f}% {k}') for k,c in incl.most_common(25)]
