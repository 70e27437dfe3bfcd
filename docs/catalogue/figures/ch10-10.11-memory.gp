# made by workbook; re-plot with: gnuplot -p <this file>
set title 'Peak extra memory per call' noenhanced
set xlabel 'sequence length n' noenhanced
set ylabel 'MiB' noenhanced
set logscale x
set logscale y
set grid
set key inside top left opaque box noenhanced
set style fill transparent solid 0.45 noborder
$s0 << EOD
64 0.28125
128 0.625
256 1.5
512 4
1024 12
2048 40
4096 144
8192 544
16384 2112
EOD
$s1 << EOD
64 0.439453125
128 0.689453125
256 1.189453125
512 2.189453125
1024 4.189453125
2048 8.189453125
4096 16.18945312
8192 32.18945312
16384 64.18945312
EOD
plot $s0 using 1:2 with lines lw 2 title 'naive, closed form', \
    $s1 using 1:2 with lines lw 2 title 'tiled (128 x 128 tiles), closed form'
