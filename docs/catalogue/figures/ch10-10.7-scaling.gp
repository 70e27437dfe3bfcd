# made by workbook; re-plot with: gnuplot -p <this file>
set title 'Parameters of a transformer block' noenhanced
set xlabel 'd_model' noenhanced
set ylabel 'parameters' noenhanced
set logscale x
set logscale y
set grid
set key inside top left opaque box noenhanced
set style fill transparent solid 0.45 noborder
$s0 << EOD
64 49408
128 197120
256 787456
512 3147776
1024 12587008
2048 50339840
4096 201342976
8192 805339136
EOD
$s1 << EOD
64 16384
128 65536
256 262144
512 1048576
1024 4194304
2048 16777216
4096 67108864
8192 268435456
EOD
$s2 << EOD
64 32768
128 131072
256 524288
512 2097152
1024 8388608
2048 33554432
4096 134217728
8192 536870912
EOD
$s3 << EOD
64 256
128 512
256 1024
512 2048
1024 4096
2048 8192
4096 16384
8192 32768
EOD
$s4 << EOD
64 81920
128 327680
256 1310720
512 5242880
1024 20971520
2048 83886080
4096 335544320
8192 1342177280
EOD
plot $s0 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'whole block', \
    $s1 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'attention', \
    $s2 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'FFN', \
    $s3 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'two LayerNorms', \
    $s4 using 1:2 with lines lw 2 title 'guide of slope 2'
