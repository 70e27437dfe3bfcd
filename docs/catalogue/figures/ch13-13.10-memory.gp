# made by workbook; re-plot with: gnuplot -p <this file>
set title 'Extra memory of attention against sequence length (d = 16, 8-byte numbers)' noenhanced
set xlabel 'sequence length n' noenhanced
set ylabel 'extra memory (KiB)' noenhanced
set logscale x
set logscale y
set grid
set key inside top left opaque box noenhanced
set style fill transparent solid 0.45 noborder
$s0 << EOD
128 146
256 548
512 2120
1024 8336
2048 33056
EOD
$s1 << EOD
128 146
256 146
512 146
1024 146
2048 146
EOD
plot $s0 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'naive, one n x n tile', \
    $s1 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'tiled, blocks and tiles of 128'
