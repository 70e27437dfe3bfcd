# made by workbook; re-plot with: gnuplot -p <this file>
set title 'Time to generate n tokens after a 16-token prompt' noenhanced
set xlabel 'new tokens n' noenhanced
set ylabel 'milliseconds' noenhanced
set logscale y
set grid
set key inside bottom right opaque box noenhanced
set style fill transparent solid 0.45 noborder
$s0 << EOD
10 0.266668
20 0.444186
30 0.573031
40 0.730632
50 0.909172
60 1.048477
70 1.190828
80 1.334111
90 1.481111
100 1.652468
EOD
$s1 << EOD
10 1.472455
20 3.449372
30 5.879652
40 8.721626
50 11.590492
60 14.740454
70 19.575365
80 24.254511
90 29.068142
100 34.181173
EOD
$s2 << EOD
10 2.553636
20 5.492735
30 9.471215
40 12.898305
50 16.794117
60 21.879385
70 28.428463
80 38.243343
90 43.624445
100 49.201752
EOD
plot $s0 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'KV cache (library attention)', \
    $s1 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'recomputed (library attention)', \
    $s2 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'KV cache, your step through the channel'
