# made by workbook; re-plot with: gnuplot -p <this file>
set title 'Attention time against sequence length (d = d_v = 16)' noenhanced
set xlabel 'n' noenhanced
set ylabel 'milliseconds' noenhanced
set logscale x
set logscale y
set grid
set key inside top left opaque box noenhanced
set style fill transparent solid 0.45 noborder
$s0 << EOD
256 4.424632
512 15.822481
1024 25.378033
2048 54.246558
EOD
$s1 << EOD
256 0.08384233333
512 0.46566804
1024 1.80269525
2048 6.7628615
EOD
plot $s0 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'your performer_attention (r = 64, through the channel)', \
    $s1 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'exact softmax (library, flash-style float)'
