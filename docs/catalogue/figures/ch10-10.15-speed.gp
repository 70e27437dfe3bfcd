# made by workbook; re-plot with: gnuplot -p <this file>
set title 'Time to generate n tokens after a 16-token prompt' noenhanced
set xlabel 'new tokens n' noenhanced
set ylabel 'milliseconds' noenhanced
set logscale y
set grid
set key inside top right opaque box noenhanced
set style fill transparent solid 0.45 noborder
$s0 << EOD
10 0.290981
20 0.417121
30 0.544522
40 0.675451
50 0.830385
60 0.967104
70 1.107161
80 1.250833
90 1.425234
100 1.575739
EOD
$s1 << EOD
10 1.675088
20 3.437574
30 5.800367
40 8.361838
50 11.185036
60 14.218973
70 17.620548
80 21.097996
90 24.728035
100 28.301757
EOD
$s2 << EOD
10 4.092455
20 7.250799
30 10.087722
40 13.278467
50 16.826911
60 21.614616
70 27.837855
80 36.932323
90 41.945025
100 46.983336
EOD
plot $s0 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'KV cache (library attention)', \
    $s1 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'recomputed (library attention)', \
    $s2 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'KV cache, your step through the channel'
